#!/bin/bash
# Stops the local cluster: every process up.sh started (by pid file, never by name), all pods
# (CRI stop+remove before containerd goes, so CNI releases veths and IPs), then unmounts and removes
# the cluster's state: iptables chains (KUBE-*, CNI-*), cni0, kubelet dir, etcd data, pod logs.
# Keeps the caches (binaries, images, containerd image store, PKI). Idempotent.
#   bash test/cluster/down.sh [--quiet]     (npm run cluster:down)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root
Q=${1:-}
say() { [ "$Q" = --quiet ] || log "$@"; }
mkdir -p "$KD_LOCAL" "$KD_RUN"
if [ -z "${KD_LOCK_HELD:-}" ]; then
  exec 9>"$KD_LOCAL/.lock"
  flock -n 9 || { log "cluster:up/down running elsewhere; waiting"; flock -w 600 9 || die "lock timeout"; }
fi
rm -f "$KD_LOCAL/kubeconfig"

stopping=""
for c in kwok kube-proxy kube-scheduler kube-controller-manager kubelet; do
  [ -n "$(comp_pid $c)" ] && stopping="$stopping $c"
  stop_proc $c &
done
[ -n "$stopping" ] && say "stopping$stopping"
wait

# pods: through CRI while containerd runs (start it briefly if a crash left pods behind)
tmp_ctrd=""
if [ -z "$(comp_pid containerd)" ] && [ -d "$KD_STATE_RUN/containerd/io.containerd.runtime.v2.task/k8s.io" ] \
   && [ -n "$(ls -A "$KD_STATE_RUN/containerd/io.containerd.runtime.v2.task/k8s.io" 2>/dev/null)" ] \
   && [ -f "$KD_ETC/containerd.toml" ]; then
  say "starting containerd briefly to remove leftover pods"
  (start_proc containerd "$(command -v containerd)" --config "$KD_ETC/containerd.toml") && tmp_ctrd=1
  for i in $(seq 60); do ctr version >/dev/null 2>&1 && break; sleep 0.5; done
fi
if [ -n "$(comp_pid containerd)" ] && [ -x "$KD_BIN/kd-cri" ]; then
  say "removing pods (CRI stop + remove)"
  timeout 120 "$KD_BIN/kd-cri" --endpoint "unix://$CONTAINERD_ADDRESS" rmp-all >/dev/null || log "warning: some pods could not be removed via CRI"
fi
[ -n "$(comp_pid containerd)" ] && say "stopping containerd"
stop_proc containerd
# any container still running (containerd died before its pods): kill it through runc's state dir,
# then the shims that served our containerd socket
if [ -d "$KD_STATE_RUN/runc/k8s.io" ]; then
  for id in $(runc --root "$KD_STATE_RUN/runc/k8s.io" list -q 2>/dev/null); do
    runc --root "$KD_STATE_RUN/runc/k8s.io" kill "$id" KILL >/dev/null 2>&1
    sleep 0.1; runc --root "$KD_STATE_RUN/runc/k8s.io" delete -f "$id" >/dev/null 2>&1
  done
fi
for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $CONTAINERD_ADDRESS" 2>/dev/null); do
  grep -qa -- "$CONTAINERD_ADDRESS" "/proc/$p/cmdline" 2>/dev/null && kill -KILL "$p" 2>/dev/null
done

[ -n "$(comp_pid kube-apiserver)" ] && say "stopping kube-apiserver"
stop_proc kube-apiserver 5
[ -n "$(comp_pid etcd)" ] && say "stopping etcd"
stop_proc etcd
rm -f "$KD_RUN"/*.pid

# iptables: kube-proxy's own cleanup, then any KUBE-*/CNI-* chain left (kubelet's, portmap's)
[ -x "$KD_BIN/kube-proxy" ] && "$KD_BIN/kube-proxy" --cleanup --v=0 >/dev/null 2>&1
for ipt in iptables ip6tables; do
  command -v $ipt >/dev/null || continue
  for t in filter nat mangle raw; do
    rules=$($ipt -t $t -S 2>/dev/null) || continue
    # rules in non-KUBE chains that jump to KUBE-/CNI- chains
    echo "$rules" | grep -E '^-A ' | grep -E -- '-j (KUBE-|CNI-)' | grep -vE '^-A (KUBE-|CNI-)' | while read -r r; do
      eval "$ipt -t $t ${r/-A /-D }" 2>/dev/null
    done
    chains=$(echo "$rules" | awk '$1=="-N" && ($2 ~ /^(KUBE-|CNI-)/) {print $2}')
    for ch in $chains; do $ipt -t $t -F "$ch" 2>/dev/null; done
    for ch in $chains; do $ipt -t $t -X "$ch" 2>/dev/null; done
  done
done

# mounts (projected tokens, configmaps, container rootfs, netns) under our dirs
for d in "$KD_KUBELET_DIR" "$KD_STATE_RUN"; do
  awk -v d="$d" '$2 ~ "^"d {print $2}' /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
done
for ns in /run/netns/cni-*; do
  [ -e "$ns" ] || continue
  umount "$ns" 2>/dev/null; rm -f "$ns"
done
ip link show cni0 >/dev/null 2>&1 && { say "removing cni0"; ip link del cni0; }
rm -rf /var/lib/cni/networks/kd-pod-network /var/lib/cni/results/kd-pod-network-*
# empty pod cgroups kubelet left (cgroupfs driver)
for h in /sys/fs/cgroup/*/kubepods; do [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} + 2>/dev/null; done
rm -rf "$KD_KUBELET_DIR" "$KD_ETCD_DIR" "$KD_STATE_RUN" /var/log/pods /var/log/containers
say "cluster stopped"
exit 0
