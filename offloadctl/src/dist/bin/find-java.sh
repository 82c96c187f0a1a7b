# shellcheck shell=bash
# Finds a JDK that can run offloadctl. Sourced, never run: by bin/offloadctl (the launcher in the
# distribution) and by the repository's ./dpuo, so both pick the same JDK the same way.
#
# Order: $JAVA_HOME if its `release` file says Java >= OFFLOADCTL_MIN_JAVA, else the highest such
# JDK among the directories under the system JVM directory (/usr/lib/jvm on Debian; override with
# OFFLOADCTL_JVM_DIR). The version is read from each JDK's `release` file, never from its path.

# offloadctl is compiled for Java 25 (class file 69) and uses FFM, final in 22.
OFFLOADCTL_MIN_JAVA=25
# shellcheck disable=SC2034 # read by the scripts that source this file
OFFLOADCTL_NEED_JAVA="offloadctl needs Java ${OFFLOADCTL_MIN_JAVA} or newer; install Temurin ${OFFLOADCTL_MIN_JAVA} (https://adoptium.net) or set JAVA_HOME to a JDK ${OFFLOADCTL_MIN_JAVA}+"

# Prints the JAVA_VERSION of the JDK in $1 ("25.0.3"), or fails if $1 has no readable release file
# or no bin/$2 (default: java). The file is parsed, not sourced: it is data, not a script.
offloadctl_java_version() {
    local home="$1" tool="${2:-java}" line version
    [[ -r "$home/release" && -x "$home/bin/$tool" ]] || return 1
    line="$(grep -m1 '^JAVA_VERSION=' "$home/release")" || return 1
    version="${line#JAVA_VERSION=}"
    version="${version//\"/}"
    [[ -n "$version" ]] || return 1
    printf '%s\n' "$version"
}

# Prints the feature (major) release of a JAVA_VERSION: "25.0.3" -> 25, "25-ea" -> 25, "1.8.0_452" -> 8.
offloadctl_java_major() {
    local version="$1" major
    major="${version%%[!0-9]*}"
    if [[ "$major" == 1 && "$version" == 1.* ]]; then
        major="${version#1.}"
        major="${major%%[!0-9]*}"
    fi
    [[ -n "$major" ]] || return 1
    printf '%s\n' "$((10#$major))"
}

# Succeeds if the JDK in $1 is at least OFFLOADCTL_MIN_JAVA and has bin/$2.
offloadctl_java_ok() {
    local version major
    version="$(offloadctl_java_version "$1" "${2:-java}")" || return 1
    major="$(offloadctl_java_major "$version")" || return 1
    ((major >= OFFLOADCTL_MIN_JAVA))
}

# Prints the home of the JDK to use, or fails (printing nothing) if there is none.
# $1: the tool that must exist in its bin/ (default java; ./dpuo asks for javac, to build).
offloadctl_find_java_home() {
    local tool="${1:-java}" jvm_dir="${OFFLOADCTL_JVM_DIR:-/usr/lib/jvm}" candidate version best="" best_version=""
    if [[ -n "${JAVA_HOME:-}" ]] && offloadctl_java_ok "$JAVA_HOME" "$tool"; then
        printf '%s\n' "$JAVA_HOME"
        return 0
    fi
    for candidate in "$jvm_dir"/*/; do
        candidate="${candidate%/}"
        offloadctl_java_ok "$candidate" "$tool" || continue
        version="$(offloadctl_java_version "$candidate" "$tool")"
        # Highest version wins; sort -V orders 25.0.10 after 25.0.9.
        if [[ -z "$best" || "$(printf '%s\n%s\n' "$best_version" "$version" | sort -V | tail -n1)" != "$best_version" ]]; then
            best="$candidate"
            best_version="$version"
        fi
    done
    [[ -n "$best" ]] || return 1
    printf '%s\n' "$best"
}
