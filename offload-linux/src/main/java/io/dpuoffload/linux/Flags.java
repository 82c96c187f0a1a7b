package io.dpuoffload.linux;

/**
 * The flag and mode constants of the file calls, in one place: {@code O_*} (open), {@code AT_*} (the *at
 * calls), {@code RESOLVE_*} (openat2), {@code RENAME_*}, {@code FALLOC_FL_*}, {@code SEEK_*}, {@code
 * UTIME_*}, access modes, {@code S_IF*} file types and {@code F_*} descriptor commands.
 *
 * <p>Values are the kernel's. Four open flags differ between x86_64 and aarch64 ({@link #O_DIRECTORY},
 * {@link #O_NOFOLLOW}, {@link #O_DIRECT}, {@link #O_LARGEFILE}, and so {@link #O_TMPFILE}); they are chosen
 * for the running architecture, so they are not compile-time constants (no {@code case} labels).
 */
public final class Flags {
    private Flags() {}

    // ---- open(2) flags (octal, as in the kernel headers) ----
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_ACCMODE = 03;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DSYNC = 010000;
    public static final int O_ASYNC = 020000;
    public static final int O_DIRECT = Arch.isAarch64() ? 0200000 : 040000;
    /**
     * The kernel's value. glibc defines O_LARGEFILE as 0 on 64-bit targets, but the kernel sets this bit on
     * every open of a 64-bit process, so it shows up in F_GETFL results and in the flags FUSE forwards.
     */
    public static final int O_LARGEFILE = Arch.isAarch64() ? 0400000 : 0100000;

    public static final int O_DIRECTORY = Arch.isAarch64() ? 040000 : 0200000;
    public static final int O_NOFOLLOW = Arch.isAarch64() ? 0100000 : 0400000;
    public static final int O_NOATIME = 01000000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_SYNC = 04000000 | O_DSYNC;
    public static final int O_PATH = 010000000;
    /** Includes O_DIRECTORY, as in the kernel headers: open an unnamed file in the given directory. */
    public static final int O_TMPFILE = 020000000 | O_DIRECTORY;

    // ---- *at calls ----
    /** The current directory, as a dirfd. */
    public static final int AT_FDCWD = -100;

    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** unlinkat: remove a directory. Same bit as {@link #AT_EACCESS}. */
    public static final int AT_REMOVEDIR = 0x200;
    /** faccessat2: check with the effective (here: file-system) ids, not the real ones. */
    public static final int AT_EACCESS = 0x200;

    public static final int AT_SYMLINK_FOLLOW = 0x400;
    public static final int AT_NO_AUTOMOUNT = 0x800;
    /** Operate on the dirfd itself when the path is empty (O_PATH fds included). */
    public static final int AT_EMPTY_PATH = 0x1000;

    public static final int AT_STATX_SYNC_AS_STAT = 0x0000;
    public static final int AT_STATX_FORCE_SYNC = 0x2000;
    public static final int AT_STATX_DONT_SYNC = 0x4000;

    // ---- openat2 resolve flags (linux/openat2.h) ----
    /** Fail with EXDEV on crossing a mount point (bind mounts included). */
    public static final long RESOLVE_NO_XDEV = 0x01;
    /** Fail with ELOOP on procfs magic links (/proc/self/fd/N, /proc/PID/root …). */
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    /** Fail with ELOOP on any symlink (implies NO_MAGICLINKS). */
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    /** Fail with EXDEV on "..", absolute paths or symlinks that would leave the dirfd. */
    public static final long RESOLVE_BENEATH = 0x08;
    /** Treat the dirfd as the root: "/" and ".." stay inside it (like chroot). */
    public static final long RESOLVE_IN_ROOT = 0x10;
    /** Only complete from the dcache; EAGAIN otherwise (Linux 5.12+). */
    public static final long RESOLVE_CACHED = 0x20;

    // ---- renameat2 ----
    /** Fail with EEXIST if the new name exists. */
    public static final int RENAME_NOREPLACE = 1;
    /** Atomically swap the two names (both must exist). */
    public static final int RENAME_EXCHANGE = 2;
    /** Leave a whiteout (a 0/0 character device) at the old name; overlayfs' tool. Needs CAP_MKNOD. */
    public static final int RENAME_WHITEOUT = 4;

    // ---- fallocate ----
    public static final int FALLOC_FL_KEEP_SIZE = 0x01;
    /** Deallocate a range; must be combined with KEEP_SIZE. */
    public static final int FALLOC_FL_PUNCH_HOLE = 0x02;

    public static final int FALLOC_FL_NO_HIDE_STALE = 0x04;
    public static final int FALLOC_FL_COLLAPSE_RANGE = 0x08;
    public static final int FALLOC_FL_ZERO_RANGE = 0x10;
    public static final int FALLOC_FL_INSERT_RANGE = 0x20;
    public static final int FALLOC_FL_UNSHARE_RANGE = 0x40;

    // ---- lseek ----
    public static final int SEEK_SET = 0;
    public static final int SEEK_CUR = 1;
    public static final int SEEK_END = 2;
    /** The next offset at or after the given one that holds data (ENXIO past the end). */
    public static final int SEEK_DATA = 3;
    /** The next hole at or after the given offset; the end of the file counts as a hole. */
    public static final int SEEK_HOLE = 4;

    // ---- utimensat tv_nsec specials ----
    public static final long UTIME_NOW = (1L << 30) - 1;
    public static final long UTIME_OMIT = (1L << 30) - 2;

    // ---- access modes (faccessat2) ----
    public static final int F_OK = 0;
    public static final int X_OK = 1;
    public static final int W_OK = 2;
    public static final int R_OK = 4;

    // ---- file types and mode bits ----
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 060000;
    public static final int S_IFDIR = 040000;
    public static final int S_IFCHR = 020000;
    public static final int S_IFIFO = 010000;
    public static final int S_ISUID = 04000;
    public static final int S_ISGID = 02000;
    public static final int S_ISVTX = 01000;

    // ---- fcntl commands with an int argument (the lock commands are in Locks) ----
    public static final int F_DUPFD = 0;
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    /** Only O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME and O_NONBLOCK can be changed. */
    public static final int F_SETFL = 4;

    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_SETPIPE_SZ = 1031;
    public static final int F_GETPIPE_SZ = 1032;
    /** The F_GETFD/F_SETFD flag. */
    public static final int FD_CLOEXEC = 1;
}
