#!/usr/bin/env bash
# Mounts an offload-fs export on this machine (host and DPU side joined by a Unix socket, no
# namespaces needed) and runs the differential POSIX probe against it, with a plain directory on the
# same file system as the reference. Cleans up everything it made, also on failure.
# usage: run-fs.sh OFFLOADCTL [PROBE ARGS...]     (as root; ./dpuo conformance runs it)
set -euo pipefail

offloadctl="$(readlink -f "$1")"
shift
here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
work="$(mktemp -d /tmp/dpuo-conformance.XXXXXX)"
chmod 755 "$work"
serve_pid="" mount_pid=""

cleanup() {
    local status=$?
    if [[ -n "$mount_pid" ]]; then
        kill "$mount_pid" 2>/dev/null || true
        wait "$mount_pid" 2>/dev/null || true # the mount unmounts on SIGTERM
    fi
    if mountpoint -q "$work/mnt"; then umount -l "$work/mnt"; fi
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

mkdir -p "$work/exported" "$work/mnt" "$work/ref"
chmod 755 "$work/exported" "$work/mnt" "$work/ref"
cat >"$work/fs.yaml" <<YAML
node: host-1
listen: unix:$work/fs.sock
peers: []
exports:
  - name: conformance
    path: $work/exported
    cache: none
    devices: true
    allow:
      all: [/]
YAML

"$offloadctl" fs serve --config "$work/fs.yaml" >"$work/serve.log" 2>&1 &
serve_pid=$!
await "$work/serve.log" READY
"$offloadctl" fs mount --server "unix:$work/fs.sock" --export conformance --node dpu-1 "$work/mnt" \
    >"$work/mount.log" 2>&1 &
mount_pid=$!
await "$work/mount.log" MOUNTED

python3 "$here/fs_probe.py" --ref "$work/ref" --mnt "$work/mnt" "$@"
