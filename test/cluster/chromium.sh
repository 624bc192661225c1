#!/bin/bash
# Headless Chromium for the browser e2e checks (test/e2e/notebook.test.ts): Debian's chromium package,
# installed with apt once; its .deb files are kept under $KD_CACHE/apt/archives, so a machine whose apt
# lists are fresh installs it again without downloading. Prints the browser's path.
#   bash test/cluster/chromium.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
for b in chromium chromium-browser; do
  if command -v "$b" >/dev/null; then command -v "$b"; exit 0; fi
done
need_root
archives=$KD_CACHE/apt/archives
mkdir -p "$archives/partial"
install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o Dir::Cache::archives="$archives" chromium fonts-dejavu-core >/dev/null 2>&1
}
log "installing Debian's chromium (first time: ~1-2 min, ~100 MB; .debs cached in $archives)"
install || { apt-get update -qq >/dev/null 2>&1 && install; } || die "apt-get install chromium failed"
command -v chromium
