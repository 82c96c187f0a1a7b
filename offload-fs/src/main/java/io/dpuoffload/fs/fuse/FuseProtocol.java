package io.dpuoffload.fs.fuse;

/**
 * Every number of the kernel's FUSE protocol that this package uses, in one place, named as in {@code
 * include/uapi/linux/fuse.h} (without the {@code FUSE_} prefix where it would only repeat the class
 * name). Flags are the raw bits; sizes are the C structure sizes on a 64-bit kernel, which are the
 * same on x86_64 and aarch64. Everything on the wire is in native byte order: little-endian there.
 */
public final class FuseProtocol {

    private FuseProtocol() {}

    // ---- Versions ----

    /** The only major version there has ever been. */
    public static final int KERNEL_VERSION = 7;

    /**
     * The minor version we speak: 7.45, that of the kernel this project targets (see MACHINE.md). Every
     * message layout up to 7.45 is decoded, and everything added after 7.31 is either a new opcode
     * (answered with ENOSYS when not implemented, which makes the kernel fall back: STATX,
     * COPY_FILE_RANGE_64) or only sent when an INIT flag asks for it — so announcing 7.45 costs nothing
     * and an older kernel simply negotiates down (both sides then use the smaller minor).
     */
    public static final int KERNEL_MINOR_VERSION = 45;

    /**
     * The oldest kernel minor we accept. From 7.31 on, every fixed argument structure has its current
     * size except {@code fuse_init_in} (grew in 7.36, decoded by length) and {@code fuse_setxattr_in}
     * (grows only with {@link #SETXATTR_EXT}), so the decoder needs no other compat paths, and 7.31 is
     * older than any kernel a DPU is likely to run. An older kernel's INIT is refused with EPROTO.
     */
    public static final int MIN_KERNEL_MINOR_VERSION = 31;

    /** The node id of the mount's root directory. */
    public static final long ROOT_ID = 1;

    // ---- INIT flags (fuse_init_in/out.flags; bits 32..63 travel in flags2) ----

    public static final long ASYNC_READ = 1L << 0;
    public static final long POSIX_LOCKS = 1L << 1;
    public static final long FILE_OPS = 1L << 2;
    public static final long ATOMIC_O_TRUNC = 1L << 3;
    public static final long EXPORT_SUPPORT = 1L << 4;
    public static final long BIG_WRITES = 1L << 5;
    public static final long DONT_MASK = 1L << 6;
    public static final long SPLICE_WRITE = 1L << 7;
    public static final long SPLICE_MOVE = 1L << 8;
    public static final long SPLICE_READ = 1L << 9;
    public static final long FLOCK_LOCKS = 1L << 10;
    public static final long HAS_IOCTL_DIR = 1L << 11;
    public static final long AUTO_INVAL_DATA = 1L << 12;
    public static final long DO_READDIRPLUS = 1L << 13;
    public static final long READDIRPLUS_AUTO = 1L << 14;
    public static final long ASYNC_DIO = 1L << 15;
    public static final long WRITEBACK_CACHE = 1L << 16;
    public static final long NO_OPEN_SUPPORT = 1L << 17;
    public static final long PARALLEL_DIROPS = 1L << 18;
    public static final long HANDLE_KILLPRIV = 1L << 19;
    public static final long POSIX_ACL = 1L << 20;
    public static final long ABORT_ERROR = 1L << 21;
    public static final long MAX_PAGES = 1L << 22;
    public static final long CACHE_SYMLINKS = 1L << 23;
    public static final long NO_OPENDIR_SUPPORT = 1L << 24;
    public static final long EXPLICIT_INVAL_DATA = 1L << 25;
    public static final long MAP_ALIGNMENT = 1L << 26;
    public static final long SUBMOUNTS = 1L << 27;
    public static final long HANDLE_KILLPRIV_V2 = 1L << 28;
    /** The kernel sends the 16-byte {@code fuse_setxattr_in} (with setxattr_flags). */
    public static final long SETXATTR_EXT = 1L << 29;
    /** {@code fuse_init_in/out} carry flags2. */
    public static final long INIT_EXT = 1L << 30;

    public static final long INIT_RESERVED = 1L << 31;
    public static final long SECURITY_CTX = 1L << 32;
    public static final long HAS_INODE_DAX = 1L << 33;
    /** Create-type requests carry the caller's group that owns the parent as an extension. */
    public static final long CREATE_SUPP_GROUP = 1L << 34;

    public static final long HAS_EXPIRE_ONLY = 1L << 35;
    public static final long DIRECT_IO_ALLOW_MMAP = 1L << 36;
    public static final long PASSTHROUGH = 1L << 37;
    public static final long NO_EXPORT_SUPPORT = 1L << 38;
    public static final long HAS_RESEND = 1L << 39;
    public static final long ALLOW_IDMAP = 1L << 40;
    public static final long OVER_IO_URING = 1L << 41;
    public static final long REQUEST_TIMEOUT = 1L << 42;

    // ---- FOPEN_* (fuse_open_out.open_flags) ----

    public static final int FOPEN_DIRECT_IO = 1 << 0;
    public static final int FOPEN_KEEP_CACHE = 1 << 1;
    public static final int FOPEN_NONSEEKABLE = 1 << 2;
    public static final int FOPEN_CACHE_DIR = 1 << 3;
    public static final int FOPEN_STREAM = 1 << 4;
    public static final int FOPEN_NOFLUSH = 1 << 5;
    public static final int FOPEN_PARALLEL_DIRECT_WRITES = 1 << 6;
    public static final int FOPEN_PASSTHROUGH = 1 << 7;

    // ---- FATTR_* (fuse_setattr_in.valid) ----

    public static final int FATTR_MODE = 1 << 0;
    public static final int FATTR_UID = 1 << 1;
    public static final int FATTR_GID = 1 << 2;
    public static final int FATTR_SIZE = 1 << 3;
    public static final int FATTR_ATIME = 1 << 4;
    public static final int FATTR_MTIME = 1 << 5;
    public static final int FATTR_FH = 1 << 6;
    public static final int FATTR_ATIME_NOW = 1 << 7;
    public static final int FATTR_MTIME_NOW = 1 << 8;
    public static final int FATTR_LOCKOWNER = 1 << 9;
    public static final int FATTR_CTIME = 1 << 10;
    public static final int FATTR_KILL_SUIDGID = 1 << 11;

    // ---- Per-request flag words ----

    /** fuse_release_in.release_flags. */
    public static final int RELEASE_FLUSH = 1 << 0;

    public static final int RELEASE_FLOCK_UNLOCK = 1 << 1;
    /** fuse_getattr_in.getattr_flags: fh is valid. */
    public static final int GETATTR_FH = 1 << 0;
    /** fuse_lk_in.lk_flags: a flock(2) lock rather than a POSIX one. */
    public static final int LK_FLOCK = 1 << 0;
    /** fuse_write_in.write_flags: delayed write from the page cache; the fh is a guess. */
    public static final int WRITE_CACHE = 1 << 0;

    public static final int WRITE_LOCKOWNER = 1 << 1;
    public static final int WRITE_KILL_SUIDGID = 1 << 2;
    /** fuse_read_in.read_flags. */
    public static final int READ_LOCKOWNER = 1 << 1;
    /** fuse_fsync_in.fsync_flags: fdatasync. */
    public static final int FSYNC_FDATASYNC = 1 << 0;
    /** fuse_open_in / fuse_create_in open_flags. */
    public static final int OPEN_KILL_SUIDGID = 1 << 0;
    /** fuse_setxattr_in.setxattr_flags. */
    public static final int SETXATTR_ACL_KILL_SGID = 1 << 0;
    /** fuse_poll_in.flags: the kernel wants a NOTIFY_POLL when the file becomes ready. */
    public static final int POLL_SCHEDULE_NOTIFY = 1 << 0;
    /** fuse_notify_inval_entry_out.flags: only expire the entry, do not drop it. */
    public static final int EXPIRE_ONLY = 1 << 0;
    /** fuse_attr.flags. */
    public static final int ATTR_SUBMOUNT = 1 << 0;

    public static final int ATTR_DAX = 1 << 1;

    public static final int IOCTL_COMPAT = 1 << 0;
    public static final int IOCTL_UNRESTRICTED = 1 << 1;
    public static final int IOCTL_RETRY = 1 << 2;
    public static final int IOCTL_32BIT = 1 << 3;
    public static final int IOCTL_DIR = 1 << 4;
    public static final int IOCTL_COMPAT_X32 = 1 << 5;
    public static final int IOCTL_MAX_IOV = 256;

    // ---- Header fields ----

    /** Bit 63 of {@code fuse_in_header.unique}: the kernel resends this request (FUSE_HAS_RESEND). */
    public static final long UNIQUE_RESEND = 1L << 63;

    /** The uid/gid the kernel sends when an idmapped mount cannot map the caller. */
    public static final int INVALID_UIDGID = -1;

    /**
     * Largest errno a reply may carry: the kernel rejects {@code error <= -512} (its internal restart
     * codes start there) with EINVAL and drops the reply.
     */
    public static final int MAX_ERRNO = 511;

    // ---- Request extensions (7.38; fuse_ext_header.type) ----

    /** Types 0..31 are security contexts (fuse_secctx_header.nr_secctx). */
    public static final int MAX_NR_SECCTX = 31;

    /** {@code struct fuse_supp_groups}. */
    public static final int EXT_GROUPS = 32;

    // ---- Structure sizes ----

    public static final int IN_HEADER_SIZE = 40;
    public static final int OUT_HEADER_SIZE = 16;
    public static final int ATTR_SIZE = 88;
    public static final int ENTRY_OUT_SIZE = 128;
    public static final int ATTR_OUT_SIZE = 104;
    public static final int OPEN_OUT_SIZE = 16;
    public static final int KSTATFS_SIZE = 80;
    public static final int FILE_LOCK_SIZE = 24;
    /** fuse_init_in from 7.36 on (with flags2 and reserved words). */
    public static final int INIT_IN_SIZE = 64;
    /** fuse_init_in before 7.36: major, minor, max_readahead, flags. */
    public static final int INIT_IN_COMPAT_SIZE = 16;

    public static final int INIT_OUT_SIZE = 64;
    public static final int READ_IN_SIZE = 40;
    public static final int WRITE_IN_SIZE = 40;
    public static final int SETXATTR_IN_SIZE = 16;
    /** fuse_setxattr_in without {@link #SETXATTR_EXT}: size and flags only. */
    public static final int SETXATTR_IN_COMPAT_SIZE = 8;
    /** offsetof(struct fuse_dirent, name). */
    public static final int DIRENT_NAME_OFFSET = 24;
    /** offsetof(struct fuse_direntplus, dirent.name). */
    public static final int DIRENTPLUS_NAME_OFFSET = ENTRY_OUT_SIZE + DIRENT_NAME_OFFSET;

    /**
     * Longest name the kernel takes in a directory entry or a notification ({@code FUSE_NAME_MAX} of
     * kernels before 6.x; newer ones take more). Linux names are at most 255 bytes anyway.
     */
    public static final int NAME_MAX = 1024;

    /** The smallest buffer the kernel lets a file system read /dev/fuse into. */
    public static final int MIN_READ_BUFFER = 8192;

    /**
     * The buffer /dev/fuse must be read into once max_write is negotiated: the kernel refuses (EINVAL)
     * a read shorter than a header, a {@code fuse_write_in} and max_write bytes of data.
     */
    public static int readBufferSize(int maxWrite) {
        return Math.max(MIN_READ_BUFFER, IN_HEADER_SIZE + WRITE_IN_SIZE + maxWrite);
    }
}
