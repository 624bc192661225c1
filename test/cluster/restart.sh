#!/bin/bash
# Restarts one component of the running local cluster with the same flags (stop by pid, start,
# wait until healthy). For fault-injection tests.
#   bash test/cluster/restart.sh apiserver|etcd|controller-manager|scheduler|kubelet|proxy|containerd|coredns
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_CLUSTER_DIR/components.sh"
need_root
case "${1:-}" in
  apiserver|kube-apiserver) c=kube-apiserver ;;
  controller-manager|kcm|kube-controller-manager) c=kube-controller-manager ;;
  scheduler|kube-scheduler) c=kube-scheduler ;;
  proxy|kube-proxy) c=kube-proxy ;;
  kubelet|etcd|containerd) c=$1 ;;
  coredns) kc -n kube-system rollout restart deploy/coredns >/dev/null; kc -n kube-system rollout status deploy/coredns --timeout=120s >/dev/null; log "coredns restarted"; exit 0 ;;
  *) die "usage: $0 apiserver|etcd|controller-manager|scheduler|kubelet|proxy|containerd|coredns" ;;
esac
[ -f "$KD_ETC/containerd.toml" ] || die "cluster was never started (run up.sh)"
exec 9>"$KD_LOCAL/.lock"; flock -w 600 9 || die "cluster:up/down is running; lock timeout"
t0=$SECONDS
# kube-apiserver 1.32 waits up to its request timeout (60 s) for long-running connections after SIGTERM;
# a test cluster does not need that: SIGKILL after 5 s.
[ "$c" = kube-apiserver ] && stop_proc "$c" 5 || stop_proc "$c"
"start_$c"
"wait_$c"
log "$c restarted (pid $(comp_pid "$c"), $((SECONDS-t0)) s)"
