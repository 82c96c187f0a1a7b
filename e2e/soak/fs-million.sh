#!/usr/bin/env bash
# A tree of a million files (FILES, default 1000000) served by an offload-fs host whose open-file
# limit is LIMIT (default 4096): the host side (`offloadctl fs serve`, under `prlimit --nofile`) and
# a mount (`offloadctl fs mount`) on this machine, joined by a Unix socket. Walks the tree through
# the mount (every directory listed, every file stat'ed, so the DPU's kernel knows each inode), then
# reads every file, and reports how many descriptors the host held at most. Fails when a walk
# misses a file or reports an error, or when the host reaches the limit. Cleans up everything.
# usage: fs-million.sh OFFLOADCTL [FILES [LIMIT]]     (as root; ./dpuo soak fs-million runs it)
set -euo pipefail

offloadctl="$(readlink -f "$1")"
files="${2:-1000000}"
limit="${3:-4096}"
per_dir=1000
dirs=$(((files + per_dir - 1) / per_dir))
files=$((dirs * per_dir))
work="$(mktemp -d /tmp/dpuo-soak-fs.XXXXXX)"
chmod 755 "$work"
serve_pid="" mount_pid="" sampler_pid=""

cleanup() {
    local status=$?
    [[ -z "$sampler_pid" ]] || kill "$sampler_pid" 2>/dev/null || true
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
    exit "$status"
}
trap cleanup EXIT

say() { echo "fs-million: $*" >&2; }

await() { # FILE PATTERN: wait (at most 60 s) for a line of a child's output
    for _ in $(seq 300); do
        grep -q "$2" "$1" && return 0
        sleep 0.2
    done
    say "no '$2' after 60 s; $1 says:"
    cat "$1" >&2
    return 1
}

# The java process under the launcher script: the one whose descriptors count.
java_pid_of() {
    local pid="$1" child
    for _ in $(seq 50); do
        [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == */java ]] && { echo "$pid"; return 0; }
        child="$(pgrep -P "$pid" | head -1 || true)"
        [[ -n "$child" ]] && pid="$child"
        sleep 0.1
    done
    echo "$1"
}

elapsed() { # COMMAND...: runs it, prints its seconds
    local start=$SECONDS
    "$@"
    echo $((SECONDS - start))
}

mkdir -p "$work/exported" "$work/mnt"
say "making $files files in $dirs directories under $work/exported"
start=$SECONDS
for ((d = 0; d < dirs; d++)); do
    mkdir "$work/exported/d$d"
    (cd "$work/exported/d$d" && seq -f "f%.0f" 0 $((per_dir - 1)) | xargs touch)
done
say "made in $((SECONDS - start)) s"

cat >"$work/fs.yaml" <<YAML
node: host-1
listen: unix:$work/fs.sock
peers: []
exports:
  - name: tree
    path: $work/exported
    cache: ttl
    ttl: 1s
    allow:
      all: [/]
YAML

prlimit --nofile="$limit:$limit" "$offloadctl" fs serve --config "$work/fs.yaml" >"$work/serve.log" 2>&1 &
serve_pid=$!
await "$work/serve.log" READY
java_pid="$(java_pid_of "$serve_pid")"
"$offloadctl" fs mount --server "unix:$work/fs.sock" --export tree --node dpu-1 "$work/mnt" \
    >"$work/mount.log" 2>&1 &
mount_pid=$!
await "$work/mount.log" MOUNTED

(
    peak=0
    while kill -0 "$java_pid" 2>/dev/null; do
        n=$(find "/proc/$java_pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
        ((n > peak)) && peak=$n && echo "$peak" >"$work/peak"
        sleep 0.5
    done
) &
sampler_pid=$!

say "walking: find -printf '%s' (lists every directory, stats every file)"
start=$SECONDS
seen=$(find "$work/mnt" -type f -printf '%s\n' 2>"$work/find.err" | wc -l)
walk_s=$((SECONDS - start))
[[ ! -s "$work/find.err" ]] || { say "find reported errors:"; head "$work/find.err" >&2; exit 1; }
((seen == files)) || { say "find saw $seen files of $files"; exit 1; }

say "reading every file: find -exec cat"
start=$SECONDS
find "$work/mnt" -type f -exec cat {} + >/dev/null 2>"$work/cat.err"
read_s=$((SECONDS - start))
[[ ! -s "$work/cat.err" ]] || { say "cat reported errors:"; head "$work/cat.err" >&2; exit 1; }

kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
peak="$(cat "$work/peak" 2>/dev/null || echo 0)"
hwm="$(awk '/VmHWM/ {print $2 / 1024 " MiB"}' "/proc/$java_pid/status")"
now="$(find "/proc/$java_pid/fd" -mindepth 1 -maxdepth 1 | wc -l)"
echo "files: $files in $dirs directories"
echo "host RLIMIT_NOFILE: $limit"
echo "host descriptors: at most $peak (sampled every 0.5 s), $now at the end"
echo "walk (find, stat of every file): $walk_s s; read of every file (find -exec cat): $read_s s"
echo "host fs serve peak memory (VmHWM): $hwm"
((peak < limit)) || { say "the host reached its descriptor limit"; exit 1; }
say "passed"
