#!/usr/bin/env bash
# Builds krew (kubectl-krew) and its manifest validator (validate-krew-manifest) from krew's Go module,
# sigs.k8s.io/krew on the Go module proxy, into $KD_CACHE/bin/krew-<version>/, and prints that directory.
# Built once per version (a .ok stamp marks a finished build; present => nothing to do), so the release
# tests can run the real krew on any machine with Go, without krew's GitHub downloads.
#   bash scripts/build-krew.sh            # → /root/.cache/kubectl-kd/bin/krew-v0.4.3
# Uses the same Go module and build caches as test/cluster/build-bins.sh.
set -euo pipefail
KD_KREW_VERSION=${KD_KREW_VERSION:-v0.4.3}
export HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
KD_CACHE=${KD_CACHE:-$HOME/.cache/kubectl-kd}
out=$KD_CACHE/bin/krew-$KD_KREW_VERSION
if [ -f "$out/.ok" ]; then echo "$out"; exit 0; fi

command -v go >/dev/null || { echo "build-krew: Go toolchain not found (go on PATH)" >&2; exit 1; }
export GOMODCACHE=$KD_CACHE/go/mod GOCACHE=$KD_CACHE/go/build GOFLAGS=-buildvcs=false GOTOOLCHAIN=local CGO_ENABLED=0
mkdir -p "$KD_CACHE/bin"
# two test runs starting at once must not build into the same directory
exec 9>"$out.lock"
flock 9
if [ ! -f "$out/.ok" ]; then
  t0=$SECONDS
  echo "build-krew: building krew $KD_KREW_VERSION from its Go module (first time only; log: $out.log)" >&2
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  # `go install module@version` builds with krew's own go.mod and go.sum, as its release does;
  # gitTag makes `kubectl krew version` say which version it is (a module zip carries no commit id)
  ldf="-s -w -X sigs.k8s.io/krew/internal/version.gitTag=$KD_KREW_VERSION"
  GOBIN=$out.tmp go install -trimpath -ldflags "$ldf" \
      "sigs.k8s.io/krew/cmd/krew@$KD_KREW_VERSION" "sigs.k8s.io/krew/cmd/validate-krew-manifest@$KD_KREW_VERSION" \
      > "$out.log" 2>&1 || { tail -30 "$out.log" >&2; echo "build-krew: build failed (log: $out.log)" >&2; exit 1; }
  # kubectl finds plugins by name: kubectl-krew on PATH is `kubectl krew`
  mv "$out.tmp/krew" "$out.tmp/kubectl-krew"
  touch "$out.tmp/.ok"; rm -rf "$out"; mv "$out.tmp" "$out"
  echo "build-krew: krew $KD_KREW_VERSION built in $((SECONDS - t0)) s" >&2
fi
echo "$out"
