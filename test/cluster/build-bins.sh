#!/bin/bash
# Builds the Go binaries the local cluster needs, from the Go module proxy, into versioned cache dirs:
#   $KD_CACHE/bin/k8s-<ver>-<hash>/{kube-apiserver,kube-controller-manager,kube-scheduler,kubelet,kube-proxy,kubectl}
#   $KD_CACHE/bin/coredns-<ver>/coredns, kd-cri-<hash>/kd-cri, kwok-<ver>/kwok
# and symlinks them into $KD_CACHE/bin. Each dir has a .ok stamp; present => skipped (seconds).
# usage: build-bins.sh [k8s|etcd|coredns|kd-cri|kwok|all]   (default: all)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v go >/dev/null || die "Go toolchain not found (need Go >= 1.24 on PATH)"
what=${1:-default}
mkdir -p "$KD_BIN"
export CGO_ENABLED=0

k8s_dir() {
  local h; h=$(cat "$KD_CLUSTER_DIR/k8s-bins/go.mod" "$KD_CLUSTER_DIR/k8s-bins/go.sum" | sha256sum | cut -c1-12)
  echo "$KD_BIN/k8s-$KD_K8S_VERSION-$h"
}

build_k8s() {
  local out; out=$(k8s_dir)
  if [ ! -f "$out/.ok" ]; then
    log "building kubernetes $KD_K8S_VERSION binaries (first time: ~7 min on an idle 2-core machine, up to 30 min under load; log: $out.log)"
    local t0=$SECONDS v=$KD_K8S_VERSION maj min ldf k
    maj=${v#v}; maj=${maj%%.*}; min=${v#v*.}; min=${min%%.*}
    ldf="-s -w"
    for k in gitVersion=$v gitMajor=$maj gitMinor=$min gitCommit=0000000000000000000000000000000000000000 gitTreeState=clean buildDate=1970-01-01T00:00:00Z; do
      ldf="$ldf -X k8s.io/component-base/version.$k -X k8s.io/client-go/pkg/version.$k"
    done
    rm -rf "$out.tmp"; mkdir -p "$out.tmp"
    ( cd "$KD_CLUSTER_DIR/k8s-bins" && go build -mod=readonly -trimpath -ldflags "$ldf" -o "$out.tmp/" \
        k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
        k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
        k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl ) > "$out.log" 2>&1 \
      || { tail -30 "$out.log" >&2; die "kubernetes build failed (full log: $out.log)"; }
    touch "$out.tmp/.ok"; rm -rf "$out"; mv "$out.tmp" "$out"
    log "kubernetes binaries built in $((SECONDS-t0)) s"
  fi
  for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    ln -sfn "$out/$b" "$KD_BIN/$b"
  done
}

# go_tool <name> <module@version> <package> [ldflags]: builds one main package in a throwaway wrapper module
go_tool() {
  local name=$1 modver=$2 pkg=$3 ldf=${4:-} out="$KD_BIN/$1-${2##*@}"
  if [ ! -f "$out/.ok" ]; then
    log "building $name ${modver##*@} (first time: a few minutes; log: $out.log)"
    local t0=$SECONDS w; w=$(mktemp -d)
    rm -rf "$out"; mkdir -p "$out"
    ( cd "$w" && go mod init kd.invalid/$name-build && go get "$pkg@${modver##*@}" \
        && go build -trimpath -ldflags "-s -w $ldf" -o "$out/$name" "$pkg" ) > "$out.log" 2>&1 \
      || { rm -rf "$w"; tail -30 "$out.log" >&2; die "$name build failed (full log: $out.log)"; }
    rm -rf "$w"; touch "$out/.ok"
    log "$name built in $((SECONDS-t0)) s"
  fi
  ln -sfn "$out/$name" "$KD_BIN/$name"
}

# etcd 3.5 from its Go module via the etcd-bin wrapper module (Debian's 3.4.23 is too old, see etcd-bin/go.mod)
build_etcd() {
  local h out; h=$(cat "$KD_CLUSTER_DIR"/etcd-bin/{go.mod,go.sum} | sha256sum | cut -c1-12)
  out="$KD_BIN/etcd-$(awk '/^require go.etcd.io\/etcd\/server\/v3/{print $3}' "$KD_CLUSTER_DIR/etcd-bin/go.mod")-$h"
  if [ ! -f "$out/.ok" ]; then
    log "building etcd (first time: ~1-2 min; log: $out.log)"
    local t0=$SECONDS; mkdir -p "$out"
    ( cd "$KD_CLUSTER_DIR/etcd-bin" && go build -mod=readonly -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3 ) \
      > "$out.log" 2>&1 || { tail -30 "$out.log" >&2; die "etcd build failed (full log: $out.log)"; }
    touch "$out/.ok"; log "etcd built in $((SECONDS-t0)) s"
  fi
  ln -sfn "$out/etcd" "$KD_BIN/etcd"
}

build_coredns() { go_tool coredns "github.com/coredns/coredns@$KD_COREDNS_VERSION" github.com/coredns/coredns \
  "-X github.com/coredns/coredns/coremain.GitCommit=$KD_COREDNS_VERSION"; }
# crictl's module (sigs.k8s.io/cri-tools) is not served by the module proxy we can reach: build our own
# tiny CRI client (k8s-bins/cmd/kd-cri) from the wrapper module instead.
build_kdcri() {
  local h out; h=$(cat "$KD_CLUSTER_DIR"/k8s-bins/{go.mod,go.sum,cmd/kd-cri/main.go} | sha256sum | cut -c1-12)
  out="$KD_BIN/kd-cri-$h"
  if [ ! -f "$out/.ok" ]; then
    log "building kd-cri (small CRI client; ~1 min)"
    mkdir -p "$out"
    ( cd "$KD_CLUSTER_DIR/k8s-bins" && go build -mod=readonly -trimpath -ldflags "-s -w" -o "$out/kd-cri" ./cmd/kd-cri ) \
      > "$out.log" 2>&1 || { tail -30 "$out.log" >&2; die "kd-cri build failed (full log: $out.log)"; }
    touch "$out/.ok"
  fi
  ln -sfn "$out/kd-cri" "$KD_BIN/kd-cri"
}
build_kwok()    { go_tool kwok "sigs.k8s.io/kwok@$KD_KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok \
  "-X sigs.k8s.io/kwok/pkg/consts.Version=$KD_KWOK_VERSION"; }

case $what in
  k8s) build_k8s ;; etcd) build_etcd ;; coredns) build_coredns ;; kd-cri) build_kdcri ;; kwok) build_kwok ;;
  default) build_k8s; build_etcd; build_coredns; build_kdcri; build_kwok ;;
  all) build_k8s; build_etcd; build_coredns; build_kdcri; build_kwok ;;
  path) k8s_dir ;;
  *) die "usage: $0 [k8s|etcd|coredns|kd-cri|kwok|all]" ;;
esac
