#!/usr/bin/env bash
# Mounts offload-fs exports on this machine (host and DPU side joined by a Unix socket, no
# namespaces needed) and runs the differential POSIX probe against each, with a plain directory on
# the same file system as the reference: one export with `cache: none`, one with `cache: ttl` (where
# the DPU's kernel caches entries and attributes, and checks permissions itself). Cleans up
# everything it made, also on failure.
# usage: run-fs.sh OFFLOADCTL [PROBE ARGS...]     (as root; ./dpuo conformance runs it)
set -euo pipefail

offloadctl="$(readlink -f "$1")"
shift
here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
work="$(mktemp -d /tmp/dpuo-conformance.XXXXXX)"
chmod 755 "$work"
serve_pid="" mount_pids=()

cleanup() {
    local status=$?
    local pid cache
    for pid in "${mount_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true # the mount unmounts on SIGTERM
    done
    for cache in none ttl; do
        if mountpoint -q "$work/mnt-$cache"; then umount -l "$work/mnt-$cache"; fi
    done
    if [[ -n "$serve_pid" ]]; then
        kill "$serve_pid" 2>/dev/null || true
        wait "$serve_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$status" # the probe's verdict, not the stopped children's
}
trap cleanup EXIT

await() { # FILE PATTERN: wait (at most 60 s) for a line of a child's output
    for _ in $(seq 300); do
        grep -q "$2" "$1" && return 0
        sleep 0.2
    done
    echo "run-fs.sh: no '$2' after 60 s; $1 says:" >&2
    cat "$1" >&2
    return 1
}

mkdir -p "$work/exported-none" "$work/exported-ttl" "$work/mnt-none" "$work/mnt-ttl" "$work/ref"
chmod 755 "$work/exported-none" "$work/exported-ttl" "$work/mnt-none" "$work/mnt-ttl" "$work/ref"
cat >"$work/fs.yaml" <<YAML
node: host-1
listen: unix:$work/fs.sock
peers: []
exports:
  - name: conformance-none
    path: $work/exported-none
    cache: none
    devices: true
    allow:
      all: [/]
  - name: conformance-ttl
    path: $work/exported-ttl
    cache: ttl
    devices: true
    allow:
      all: [/]
YAML

"$offloadctl" fs serve --config "$work/fs.yaml" >"$work/serve.log" 2>&1 &
serve_pid=$!
await "$work/serve.log" READY
for cache in none ttl; do
    "$offloadctl" fs mount --server "unix:$work/fs.sock" --export "conformance-$cache" --node dpu-1 \
        "$work/mnt-$cache" >"$work/mount-$cache.log" 2>&1 &
    mount_pids+=($!)
    await "$work/mount-$cache.log" MOUNTED
done

status=0
for cache in none ttl; do
    echo "== export with cache: $cache"
    python3 "$here/fs_probe.py" --ref "$work/ref" --mnt "$work/mnt-$cache" --cache "$cache" "$@" || status=1
done
exit "$status"
