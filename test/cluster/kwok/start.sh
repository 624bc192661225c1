#!/bin/bash
# Starts KWOK against the local API server and registers N fake nodes (default 2) for scale tests.
#   bash test/cluster/kwok/start.sh [N]        stop: bash test/cluster/kwok/stop.sh
# The fake nodes carry the taint kwok.x-k8s.io/node=fake:NoSchedule, so no pod of anyone else's test
# lands on them; a test's own pods get there by tolerating it. Each node advertises 100000 CPUs, 64 TiB
# and 1100 pods. Idempotent: a running kwok is reused, existing nodes are kept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC1091
. "$here/../env.sh"
n=${1:-2}
state=$KD_LOCAL/kwok
mkdir -p "$state"
# a kwok started with another kwok.yaml (stages) is restarted
sum=$(sha256sum "$here/kwok.yaml" | cut -c1-16)
if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null && [ "$(cat "$state/config.sum" 2>/dev/null)" != "$sum" ]; then
  kill "$(cat "$state/pid")"; rm -f "$state/pid"; sleep 1
fi
echo "$sum" >"$state/config.sum"
if ! { [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; }; then
  # pod IPs are only written into pod status by KWOK: a range no real pod uses
  nohup "$KD_KWOK" --kubeconfig "$KUBECONFIG" --config "$here/kwok.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --cidr 10.250.0.1/16 --node-ip 10.250.255.254 >"$state/kwok.log" 2>&1 &
  echo $! >"$state/pid"
fi
for i in $(seq 0 $((n - 1))); do
  cat <<YAML
apiVersion: v1
kind: Node
metadata:
  name: kd-kwok-$i
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {type: kwok, kubernetes.io/hostname: kd-kwok-$i, kubernetes.io/os: linux, kubernetes.io/arch: amd64, kubernetes.io/role: agent}
spec:
  taints: [{key: kwok.x-k8s.io/node, value: fake, effect: NoSchedule}]
status:
  allocatable: {cpu: "100000", memory: 64Ti, pods: "1100"}
  capacity: {cpu: "100000", memory: 64Ti, pods: "1100"}
---
YAML
done | "$KD_KUBECTL" apply -f - >/dev/null
for _ in $(seq 1 60); do
  ready=$("$KD_KUBECTL" get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True || true)
  [ "$ready" -ge "$n" ] && { echo "kwok: $ready fake node(s) ready (pid $(cat "$state/pid"))"; exit 0; }
  sleep 1
done
echo "kwok: fake nodes not ready after 60 s; see $state/kwok.log" >&2
exit 1
