package io.dpuoffload.linux;

/**
 * Numbers of the system calls made through {@code syscall(2)} rather than a glibc wrapper. Calls added since
 * Linux 5.1 share one number on every architecture; older ones differ between x86_64 and aarch64.
 */
final class Syscalls {
    static final long OPENAT2 = 437;
    static final long FACCESSAT2 = 439;
    /** Linux 6.6+: fchmodat with flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH). */
    static final long FCHMODAT2 = 452;

    static final long GETGROUPS = Arch.isAarch64() ? 158 : 115;
    static final long SETGROUPS = Arch.isAarch64() ? 159 : 116;
    static final long SETFSUID = Arch.isAarch64() ? 151 : 122;
    static final long SETFSGID = Arch.isAarch64() ? 152 : 123;
    static final long GETTID = Arch.isAarch64() ? 178 : 186;

    private Syscalls() {}
}
