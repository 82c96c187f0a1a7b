package io.dpuoffload.fs.fuse;

import java.nio.ByteBuffer;

/**
 * Encodes unsolicited notifications from the file system to the kernel: a {@code fuse_out_header}
 * with unique 0 and the {@link FuseNotifyCode} in its error field, then the notification's structure.
 * Do not write one from the code path answering a request on the same inode or directory: the kernel
 * may wait on locks that request holds.
 */
public final class FuseNotifications {

    private FuseNotifications() {}

    /** NOTIFY_POLL: the file polled with {@code kh} may be ready. */
    public static ByteBuffer poll(long kh) {
        ByteBuffer b = start(FuseNotifyCode.POLL, 8);
        b.putLong(kh);
        return b.flip();
    }

    /**
     * NOTIFY_INVAL_INODE: forget cached attributes of {@code ino} and, if {@code offset >= 0}, its
     * cached data from {@code offset} for {@code length} bytes ({@code length <= 0}: to the end).
     */
    public static ByteBuffer invalInode(long ino, long offset, long length) {
        ByteBuffer b = start(FuseNotifyCode.INVAL_INODE, 24);
        b.putLong(ino).putLong(offset).putLong(length);
        return b.flip();
    }

    /**
     * NOTIFY_INVAL_ENTRY: forget the cached lookup of {@code name} in directory {@code parent}; with
     * {@link FuseProtocol#EXPIRE_ONLY} in {@code flags}, only mark it expired.
     */
    public static ByteBuffer invalEntry(long parent, byte[] name, int flags) {
        checkName(name);
        ByteBuffer b = start(FuseNotifyCode.INVAL_ENTRY, 16 + name.length + 1);
        b.putLong(parent).putInt(name.length).putInt(flags).put(name).put((byte) 0);
        return b.flip();
    }

    /**
     * NOTIFY_DELETE: {@code name} in {@code parent}, which was {@code child}, is gone: the kernel drops
     * the entry as after a local unlink, if it still names that child.
     */
    public static ByteBuffer delete(long parent, long child, byte[] name) {
        checkName(name);
        ByteBuffer b = start(FuseNotifyCode.DELETE, 24 + name.length + 1);
        b.putLong(parent).putLong(child).putInt(name.length).putInt(0).put(name).put((byte) 0);
        return b.flip();
    }

    private static ByteBuffer start(FuseNotifyCode code, int payload) {
        return FuseReplies.message(0, code.code(), payload);
    }

    /** The kernel wants the name's exact length, a NUL after it, and no more than NAME_MAX bytes. */
    private static void checkName(byte[] name) {
        if (name.length == 0 || name.length > FuseProtocol.NAME_MAX) {
            throw new IllegalArgumentException("name of " + name.length + " bytes");
        }
    }
}
