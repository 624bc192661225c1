#!/bin/bash
# mk-oci-image.sh <out.tar> <rootfs-dir> <ref> [ref...]
#   Writes a single-layer OCI image-layout tarball that `ctr -n k8s.io images import` accepts and names
#   by itself (io.containerd.image.name annotation; one index entry per ref, all the same manifest).
#   Image config from the environment (JSON fragments):
#     IMG_ENTRYPOINT (default null), IMG_CMD (default ["/bin/sh"]), IMG_ENV (JSON array of "K=V";
#     default PATH only), IMG_USER (default ""), IMG_WORKDIR (default /).
#   The layer is an uncompressed, reproducible tar (sorted, mtime 0, numeric owners), so the same rootfs
#   gives the same digest. Prints the manifest digest on stdout.
set -euo pipefail
out=$1 rootfs=$2; shift 2
[ $# -ge 1 ] || { echo "usage: $0 out.tar rootfs ref..." >&2; exit 2; }
work=$(mktemp -d "${out%/*}/.oci.XXXXXX"); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/blobs/sha256"
tar --sort=name --mtime=@0 --numeric-owner --xattrs --xattrs-include='security.capability' \
    -C "$rootfs" -cf "$work/layer.tar" .
ld=$(sha256sum "$work/layer.tar" | cut -d' ' -f1); ls=$(stat -c %s "$work/layer.tar")
mv "$work/layer.tar" "$work/blobs/sha256/$ld"
entry=${IMG_ENTRYPOINT:-null}; cmd=${IMG_CMD:-'["/bin/sh"]'}; user=${IMG_USER:-}; wd=${IMG_WORKDIR:-/}
env=${IMG_ENV:-'["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]'}
printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"User":"%s","Env":%s,"Entrypoint":%s,"Cmd":%s,"WorkingDir":"%s"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"kubectl-kd test/cluster/mk-oci-image.sh"}]}' \
  "$user" "$env" "$entry" "$cmd" "$wd" "$ld" > "$work/config.json"
cd_=$(sha256sum "$work/config.json" | cut -d' ' -f1); cs=$(stat -c %s "$work/config.json")
mv "$work/config.json" "$work/blobs/sha256/$cd_"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
  "$cd_" "$cs" "$ld" "$ls" > "$work/manifest.json"
md=$(sha256sum "$work/manifest.json" | cut -d' ' -f1); ms=$(stat -c %s "$work/manifest.json")
mv "$work/manifest.json" "$work/blobs/sha256/$md"
entries=""
for ref in "$@"; do
  entries="$entries${entries:+,}$(printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}' "$md" "$ms" "$ref" "${ref##*:}")"
done
printf '{"schemaVersion":2,"manifests":[%s]}' "$entries" > "$work/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$work/oci-layout"
tar -C "$work" -cf "$out.tmp" oci-layout index.json blobs
mv "$out.tmp" "$out"
echo "sha256:$md"
