#!/usr/bin/env bash
# dual-tarball.sh TAR: makes Jib's OCI image tarball loadable by `docker load` as well. Jib's OCI
# layout (oci-layout, index.json, blobs/) is what containerd's `ctr image import` and kind read;
# Docker before 25 reads only docker-save's manifest.json. This appends one that names the same
# config and layer blobs (what `docker save` of Docker 25+ writes too), so one file serves both:
# containerd still reads the OCI layout (oci-layout present), docker reads manifest.json.
set -euo pipefail

(($# == 1)) || { echo "usage: dual-tarball.sh TAR" >&2; exit 2; }
tarball="$1"

# Jib writes compact JSON with one image in the index, its manifest's config digest first, then
# the layers in order; a form this does not know fails here rather than writing a wrong manifest.
index="$(tar -xOf "$tarball" index.json)"
ref="$(grep -o '"org.opencontainers.image.ref.name":"[^"]*"' <<<"$index" | cut -d'"' -f4)"
manifest_digest="$(grep -o '"digest":"sha256:[0-9a-f]\{64\}"' <<<"$index" | cut -d'"' -f4)"
if [[ -z "$ref" || $(wc -l <<<"$manifest_digest") -ne 1 ]]; then
    echo "dual-tarball.sh: $tarball: expected one image with a ref name in index.json, got: $index" >&2
    exit 1
fi
if tar -tf "$tarball" manifest.json >/dev/null 2>&1; then
    echo "dual-tarball.sh: $tarball already has a manifest.json" >&2
    exit 1
fi
blob() { echo "blobs/sha256/${1#sha256:}"; }
mapfile -t digests < <(tar -xOf "$tarball" "$(blob "$manifest_digest")" | grep -o '"digest":"sha256:[0-9a-f]\{64\}"' | cut -d'"' -f4)
((${#digests[@]} >= 2)) || { echo "dual-tarball.sh: $tarball: a manifest without config or layers" >&2; exit 1; }

layers=""
for digest in "${digests[@]:1}"; do
    layers+="${layers:+,}\"$(blob "$digest")\""
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '[{"Config":"%s","RepoTags":["%s"],"Layers":[%s]}]\n' "$(blob "${digests[0]}")" "$ref" "$layers" \
    >"$work/manifest.json"
tar --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu -C "$work" -rf "$tarball" manifest.json
echo "dual-tarball.sh: $tarball: $ref, for ctr image import and docker load"
