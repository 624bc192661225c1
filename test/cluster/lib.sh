# Common settings for test/cluster/*.sh (sourced, never run).
KD_CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$KD_CLUSTER_DIR/versions.sh"
export HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}   # go, npm, pip want one
KD_CACHE=${KD_CACHE:-$HOME/.cache/kubectl-kd}
KD_LOCAL=$KD_CACHE/local
KD_BIN=$KD_CACHE/bin
KD_RUN=$KD_LOCAL/run
KD_LOG=$KD_LOCAL/log
KD_NODE_NAME=kd-node
export GOMODCACHE=$KD_CACHE/go/mod GOCACHE=$KD_CACHE/go/build
# Our Go module proxy mirror has no checksum-db entries for these two modules; go.sum (committed) pins them.
export GONOSUMDB=k8s.io/endpointslice,k8s.io/kube-controller-manager
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
export PATH=$KD_BIN:/usr/local/sbin:/usr/sbin:/sbin:$PATH

log()  { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }
need_root() { [ "$(id -u)" = 0 ] || die "must run as root (containerd, kubelet, iptables need it)"; }

# ---- cluster layout (shared by up.sh, down.sh, status.sh, restart.sh) ----
KD_PKI=$KD_LOCAL/pki
KD_ETC=$KD_LOCAL/etc
KD_STATE_RUN=/run/kubectl-kd                       # containerd state + socket (tmpfs)
KD_CTRD_ROOT=$KD_CACHE/containerd                  # containerd content/snapshots: an image cache, kept by down.sh
export CONTAINERD_ADDRESS=$KD_STATE_RUN/containerd/containerd.sock CONTAINERD_NAMESPACE=k8s.io
KD_KUBELET_DIR=$KD_LOCAL/kubelet
KD_ETCD_DIR=$KD_LOCAL/etcd
KD_POD_CIDR=10.244.0.0/16 KD_NODE_POD_CIDR=10.244.0.0/24 KD_SVC_CIDR=10.96.0.0/16 KD_DNS_IP=10.96.0.10
KD_COMPONENTS="containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy"
KD_ADMIN_KC=$KD_PKI/admin.kubeconfig

node_ip() {
  local ip
  ip=$(ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')   # reads the table only
  [ -n "$ip" ] || ip=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -1)
  [ -n "$ip" ] || die "no global IPv4 address on this machine (needed as the node/apiserver address)"
  echo "$ip"
}

# pid of a component if it is alive and really is that binary, else empty
comp_pid() {
  local f=$KD_RUN/$1.pid p exe
  [ -f "$f" ] || return 0
  p=$(cat "$f" 2>/dev/null) || return 0
  [ -n "$p" ] && running "$p" || return 0
  exe=$(readlink "/proc/$p/exe" 2>/dev/null || true)
  case "$(basename "${exe% (deleted)}")" in "$1") echo "$p" ;; esac
}

# start_proc <name> <argv...>: detached (own session, stdin /dev/null), pid file + log
start_proc() {
  local name=$1; shift
  mkdir -p "$KD_RUN" "$KD_LOG"
  printf '%q ' "$@" > "$KD_RUN/$name.cmd"
  echo "=== $(date -Is) starting: $*" >> "$KD_LOG/$name.log"
  rm -f "$KD_RUN/$name.pid"
  # own session; no inherited descriptors beyond 0-2 (a harness must not wait on pipes a daemon keeps open)
  setsid bash -c 'for f in /proc/$$/fd/*; do n=${f##*/}; case $n in 0|1|2|*[!0-9]*) ;; *) eval "exec $n>&-" ;; esac; done
    echo $$ > "$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$KD_RUN/$name.pid" "$@" \
    >> "$KD_LOG/$name.log" 2>&1 < /dev/null 9>&- &
  local i; for i in $(seq 100); do [ -f "$KD_RUN/$name.pid" ] && break; sleep 0.05; done
  [ -n "$(comp_pid "$name")" ] || { sleep 0.5; [ -n "$(comp_pid "$name")" ] || { tail -20 "$KD_LOG/$name.log" >&2; die "$name did not start (log $KD_LOG/$name.log)"; }; }
}

# running <pid>: exists and is not a zombie (an exited child waits for PID 1 to reap it)
running() { [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# stop_proc <name> [timeout-s]: TERM by pid, then KILL
stop_proc() {
  local name=$1 t=${2:-20} p i
  p=$(comp_pid "$name")
  if [ -n "$p" ]; then
    kill -TERM "$p" 2>/dev/null || true
    for i in $(seq $((t*10))); do running "$p" || break; sleep 0.1; done
    if running "$p"; then log "$name (pid $p) did not exit in ${t}s; SIGKILL"; kill -KILL "$p" 2>/dev/null || true; sleep 0.3; fi
  fi
  rm -f "$KD_RUN/$name.pid"
}

# wait_for <what> <timeout-s> <log-name> <command...>
wait_for() {
  local what=$1 t=$2 lg=$3 end; shift 3
  end=$((SECONDS+t))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then
      [ -n "$lg" ] && [ -f "$KD_LOG/$lg.log" ] && { echo "--- last lines of $KD_LOG/$lg.log:" >&2; tail -25 "$KD_LOG/$lg.log" >&2; }
      die "timed out after ${t}s waiting for $what"
    fi
    [ -z "$lg" ] || [ -n "$(comp_pid "$lg")" ] || { echo "--- last lines of $KD_LOG/$lg.log:" >&2; tail -25 "$KD_LOG/$lg.log" >&2; die "$lg exited while waiting for $what"; }
    sleep 0.5
  done
}
kc() { "$KD_BIN/kubectl" --kubeconfig "$KD_ADMIN_KC" "$@"; }
