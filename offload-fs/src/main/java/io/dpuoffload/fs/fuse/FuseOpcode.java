package io.dpuoffload.fs.fuse;

/**
 * The request opcodes of {@code enum fuse_opcode} in {@code include/uapi/linux/fuse.h}, up to protocol
 * 7.45. Each has exactly one {@link FuseOperation} record; {@link #UNKNOWN} stands for every code not
 * listed (CUSE_INIT, holes such as 7 and 19, codes from newer kernels) and is answered with ENOSYS.
 */
public enum FuseOpcode {
    LOOKUP(1),
    /** No reply. */
    FORGET(2),
    GETATTR(3),
    SETATTR(4),
    READLINK(5),
    SYMLINK(6),
    MKNOD(8),
    MKDIR(9),
    UNLINK(10),
    RMDIR(11),
    RENAME(12),
    LINK(13),
    OPEN(14),
    READ(15),
    WRITE(16),
    STATFS(17),
    RELEASE(18),
    FSYNC(20),
    SETXATTR(21),
    GETXATTR(22),
    LISTXATTR(23),
    REMOVEXATTR(24),
    FLUSH(25),
    INIT(26),
    OPENDIR(27),
    READDIR(28),
    RELEASEDIR(29),
    FSYNCDIR(30),
    GETLK(31),
    SETLK(32),
    SETLKW(33),
    ACCESS(34),
    CREATE(35),
    /** A reply is optional: ENOSYS stops further interrupts, EAGAIN asks for a resend. */
    INTERRUPT(36),
    BMAP(37),
    DESTROY(38),
    IOCTL(39),
    POLL(40),
    /** The kernel's answer to a {@link FuseNotifyCode#RETRIEVE} notification; no reply. */
    NOTIFY_REPLY(41),
    /** No reply. */
    BATCH_FORGET(42),
    FALLOCATE(43),
    READDIRPLUS(44),
    RENAME2(45),
    LSEEK(46),
    COPY_FILE_RANGE(47),
    /** virtio-fs DAX only; never read from /dev/fuse. */
    SETUPMAPPING(48),
    /** virtio-fs DAX only; never read from /dev/fuse. */
    REMOVEMAPPING(49),
    SYNCFS(50),
    TMPFILE(51),
    STATX(52),
    /** 7.45: as COPY_FILE_RANGE with a 64-bit result; ENOSYS makes the kernel fall back. */
    COPY_FILE_RANGE_64(53),
    /** Any code not above. */
    UNKNOWN(-1);

    /** Highest known code: sizes the lookup table. */
    private static final int MAX_CODE = 53;

    private static final FuseOpcode[] BY_CODE = new FuseOpcode[MAX_CODE + 1];

    static {
        for (FuseOpcode op : values()) {
            if (op != UNKNOWN) {
                BY_CODE[op.code] = op;
            }
        }
    }

    private final int code;

    FuseOpcode(int code) {
        this.code = code;
    }

    /** The value on the wire ({@code fuse_in_header.opcode}); -1 for {@link #UNKNOWN}. */
    public int code() {
        return code;
    }

    /** The opcode for a wire value; {@link #UNKNOWN} if this protocol version does not define it. */
    public static FuseOpcode of(int code) {
        if (code < 0 || code > MAX_CODE) {
            return UNKNOWN;
        }
        FuseOpcode op = BY_CODE[code];
        return op == null ? UNKNOWN : op;
    }

    /** Whether the kernel waits for a reply with the request's unique id. */
    public boolean expectsReply() {
        return switch (this) {
            case FORGET, BATCH_FORGET, NOTIFY_REPLY, INTERRUPT -> false;
            default -> true;
        };
    }
}
