package io.dpuoffload.fs.fuse;

/**
 * The codes of {@code enum fuse_notify_code}: an unsolicited message from the file system to the
 * kernel carries one in {@code fuse_out_header.error}, with {@code unique} 0.
 */
public enum FuseNotifyCode {
    POLL(1),
    INVAL_INODE(2),
    INVAL_ENTRY(3),
    STORE(4),
    RETRIEVE(5),
    DELETE(6),
    /** 7.40: ask the kernel to resend every request still waiting for a reply. */
    RESEND(7),
    /** 7.44. */
    INC_EPOCH(8),
    /** 7.45: ask the kernel to forget unused inodes. */
    PRUNE(9);

    private final int code;

    FuseNotifyCode(int code) {
        this.code = code;
    }

    /** The value written into {@code fuse_out_header.error}. */
    public int code() {
        return code;
    }
}
