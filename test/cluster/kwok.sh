#!/bin/bash
# Fake nodes for scale tests, on the running local cluster (KWOK v0.7.0 controller against the same API server).
#   bash test/cluster/kwok.sh up [N]     start the kwok controller (pid file, log) and make sure N fake nodes exist
#                                        (kwok-node-0..N-1; default 4); each takes 1000 pods, 64 CPUs, 256 GiB
#   bash test/cluster/kwok.sh down       delete the fake nodes (their pods go with them) and stop kwok
#   bash test/cluster/kwok.sh status
# Fake nodes carry label type=kwok, annotation kwok.x-k8s.io/node=fake and taint kwok.x-k8s.io/node=fake:NoSchedule:
# pods land there only with a matching toleration (e.g. tolerations: [{key: kwok.x-k8s.io/node, operator: Exists}]
# and nodeSelector: {type: kwok}), or when the real node kd-node is cordoned. kwok marks them Running/Ready
# with an IP from 10.250.0.0/16; no container runs (exec/logs on them are not available).
# KWOK_TAINT=0 bash test/cluster/kwok.sh up N  makes untainted fake nodes (for workloads you cannot add a
# toleration to; then also `kubectl cordon kd-node` if no pod may land on the real node).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_CLUSTER_DIR/components.sh"
need_root
[ -x "$KD_BIN/kwok" ] || bash "$KD_CLUSTER_DIR/build-bins.sh" kwok
apiserver_ready || die "cluster is not up (npm run cluster:up)"
cmd=${1:-status}
case $cmd in
  up)
    n=${2:-4}
    taints='[{key: kwok.x-k8s.io/node, value: fake, effect: NoSchedule}]'
    [ "${KWOK_TAINT:-1}" = 0 ] && taints='[]'
    if [ -z "$(comp_pid kwok)" ]; then
      start_proc kwok "$(readlink -f "$KD_BIN/kwok")" --kubeconfig="$KD_ADMIN_KC" --manage-all-nodes=false \
        --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake --cidr=10.250.0.0/16 \
        --node-lease-duration-seconds=40 --config=/dev/null
    fi
    for i in $(seq 0 $((n-1))); do
      cat <<EOT
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {type: kwok, kubernetes.io/hostname: kwok-node-$i, kubernetes.io/os: linux, kubernetes.io/arch: amd64, kubernetes.io/role: agent}
spec:
  taints: $taints
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "1000"}
  capacity: {cpu: "64", memory: 256Gi, pods: "1000"}
---
EOT
    done | kc apply -f - >/dev/null
    ready() { [ "$(kc get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True)" -ge "$n" ]; }
    wait_for "$n kwok nodes Ready" 90 kwok ready
    log "$n fake nodes Ready (kwok pid $(comp_pid kwok), log $KD_LOG/kwok.log)"
    ;;
  down)
    kc delete nodes -l type=kwok --wait=false >/dev/null 2>&1 || true
    stop_proc kwok
    log "fake nodes deleted, kwok stopped"
    ;;
  status)
    echo "kwok: $( [ -n "$(comp_pid kwok)" ] && echo "running (pid $(comp_pid kwok))" || echo stopped)"
    kc get nodes -l type=kwok --no-headers 2>/dev/null | awk '{print $2}' | sort | uniq -c
    ;;
  *) die "usage: $0 up [N]|down|status" ;;
esac
