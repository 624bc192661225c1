#!/bin/bash
# Prints the health of every component of the local cluster, the node and the kubeconfig path.
# Exit 0 if everything is healthy, else 1.   bash test/cluster/status.sh [--quiet]
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_CLUSTER_DIR/components.sh"
Q=${1:-}
out() { [ "$Q" = --quiet ] || echo "$@"; }
ok=0
declare -A HC=([containerd]="ctr version" [etcd]=etcd_healthy [kube-apiserver]=apiserver_ready
  [kube-controller-manager]=kcm_healthy [kube-scheduler]=sched_healthy [kubelet]=kubelet_healthy [kube-proxy]=proxy_healthy)
for c in $KD_COMPONENTS; do
  p=$(comp_pid "$c")
  if [ -z "$p" ]; then out "$(printf '%-24s %-8s %s' "$c" DOWN "(no live process; log $KD_LOG/$c.log)")"; ok=1; continue; fi
  rss=$(awk '/VmRSS/{print int($2/1024)}' /proc/$p/status 2>/dev/null)
  if ${HC[$c]} >/dev/null 2>&1; then out "$(printf '%-24s %-8s pid %-7s rss %5s MiB' "$c" healthy "$p" "$rss")"
  else out "$(printf '%-24s %-8s pid %-7s (health check failed)' "$c" UNHEALTHY "$p")"; ok=1; fi
done
if apiserver_ready 2>/dev/null; then
  if node_ready; then out "$(printf '%-24s %-8s' "node/$KD_NODE_NAME" Ready)"; else out "node/$KD_NODE_NAME   NOT Ready"; ok=1; fi
  if coredns_ready; then out "$(printf '%-24s %-8s' coredns Ready)"; else out "coredns                  NOT Ready"; ok=1; fi
fi
if [ -f "$KD_LOCAL/kubeconfig" ]; then out "kubeconfig: $KD_LOCAL/kubeconfig (context kd-local)"
else out "kubeconfig: none (cluster not up; run npm run cluster:up)"; ok=1; fi
[ $ok = 0 ] && out "cluster: healthy" || out "cluster: NOT healthy"
exit $ok
