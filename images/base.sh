#!/usr/bin/env bash
# base.sh OUT JAVA_HOME: writes OUT/base.tar, the images' base, as a docker-save archive (the
# form Jib reads from `tar://`): a JRE linked from JAVA_HOME with the modules in jre-modules, the
# C library files it and the node agent's helper programs need (found with ldd), /tmp, and a
# minimal /etc. No network, no registry. The same inputs give the same bytes: entries sorted,
# mtime 0, owner 0:0, modes normalised.
set -euo pipefail

(($# == 2)) || { echo "usage: base.sh OUT JAVA_HOME" >&2; exit 2; }
out="$1"
jdk="$2"
here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"

# Programs the node agent runs from its own filesystem, at these exact paths (DaemonSupervisor
# starts each daemon as `setpriv --pdeathsig TERM -- chroot ROOT DAEMON...`; a VM's NIC is read
# and set up with iproute2's `ip`, found on PATH). Everything else it runs lives in the offload
# root, which is built from the node's filesystem, not from the image.
readonly AGENT_PROGRAMS=(/usr/bin/setpriv /usr/sbin/chroot /usr/bin/ip)
# The JRE's home in the image; PATH and JAVA_HOME below name it.
readonly JRE=/opt/java

work="$out/base"
root="$work/root"
rm -rf "$work"
mkdir -p "$root"

modules="$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/jre-modules" | paste -sd, -)"
# No --compress: Jib gzips the layer anyway, and an uncompressed lib/modules starts faster.
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --output "$root$JRE"

for program in "${AGENT_PROGRAMS[@]}"; do
    [[ -x "$program" ]] || { echo "base.sh: $program is missing (Debian: util-linux, coreutils, iproute2)" >&2; exit 1; }
    mkdir -p "$root$(dirname "$program")"
    cp -L "$program" "$root$program"
done

# Every shared library the JRE's and the programs' ELF files load, at the path the dynamic loader
# looks for it (the loader itself too, at the path written in each binary).
mapfile -t elves < <(find "$root" -type f \( -name '*.so' -o -perm -u+x \) -exec sh -c \
    'head -c 4 "$1" | grep -q "ELF" && echo "$1"' _ {} \;)
# The JRE's own libraries (libjvm.so, which libjava.so needs) resolve inside it, as the launcher loads them.
libraries="$(for elf in "${elves[@]}"; do
    LD_LIBRARY_PATH="$root$JRE/lib:$root$JRE/lib/server" ldd "$elf"
done)"
if grep -q 'not found' <<<"$libraries"; then
    grep 'not found' <<<"$libraries" | sort -u >&2
    echo "base.sh: the libraries above are missing on this machine" >&2
    exit 1
fi
while read -r library; do
    mkdir -p "$root$(dirname "$library")"
    cp -L "$library" "$root$library"
done < <(grep -o '/[^ ]*' <<<"$libraries" | grep -v "^$root" | sort -u)

mkdir -p "$root/etc" "$root/root" "$root/tmp"
# Who the users are, for the JVM's user.name and user.home: root (the agent, which runs daemons as
# root), nonroot (65532, what the operator's Deployment runs as) and nobody.
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin' \
    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' >"$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' 'nogroup:x:65534:' >"$root/etc/group"
# glibc 2.34+ has the files and dns sources built in; this says to use them.
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"

chmod -R u+rwX,go+rX,go-w "$root"
chmod 700 "$root/root"
# The JVM's hsperfdata and any temporary file.
chmod 1777 "$root/tmp"

layer="$work/layer.tar"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu -C "$root" -cf "$layer" .
diff_id="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"

# LANG: glibc's built-in C.UTF-8, so the JVM reads and writes file names as UTF-8.
cat >"$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=$JRE/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$JRE","LANG=C.UTF-8"]},"rootfs":{"type":"layers","diff_ids":["$diff_id"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"images/base.sh: jlinked JRE ($modules), glibc files, /tmp, /etc"}]}
JSON
echo '[{"Config":"config.json","RepoTags":["localhost/dpuoffload/base:local"],"Layers":["layer.tar"]}]' \
    >"$work/manifest.json"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu -C "$work" \
    -cf "$out/base.tar" manifest.json config.json layer.tar
echo "base.sh: wrote $out/base.tar ($(du -h "$out/base.tar" | cut -f1), modules $modules)"
