package io.dpuoffload.fs.host;

import io.dpuoffload.fs.allowlist.Operation;
import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Xattrs;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Extended attributes, through the inode's magic link (the xattr calls have no O_PATH form). A
 * request with size 0 asks for the size; a value larger than the caller's buffer is ERANGE, as
 * locally.
 */
final class XattrOps {

    static ByteBuffer get(HostSession s, FuseInHeader h, FuseOperation.Getxattr op) throws ErrnoException {
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.XATTR_GET, inode, h.uid());
        return sized(h, op.size(), Xattrs.getxattr(ProcSelf.fd(inode.fd()), op.name()));
    }

    static ByteBuffer list(HostSession s, FuseInHeader h, FuseOperation.Listxattr op) throws ErrnoException {
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.XATTR_GET, inode, h.uid());
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        for (byte[] name : Xattrs.listxattr(ProcSelf.fd(inode.fd()))) {
            if (h.uid() != 0 && startsWith(name, TRUSTED)) {
                continue;
            }
            names.writeBytes(name);
            names.write(0);
        }
        return sized(h, op.size(), names.toByteArray());
    }

    /**
     * The kernel lists trusted.* names only to a caller with CAP_SYS_ADMIN. The host thread keeps that
     * capability while it serves a non-root DPU user (only the file-system capabilities go with the
     * fsuid), so the names are left out here for anyone but root, as a local listing would.
     */
    private static final byte[] TRUSTED = "trusted.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static boolean startsWith(byte[] name, byte[] prefix) {
        return name.length >= prefix.length
                && java.util.Arrays.equals(name, 0, prefix.length, prefix, 0, prefix.length);
    }

    static ByteBuffer set(HostSession s, FuseInHeader h, FuseOperation.Setxattr op) throws ErrnoException {
        s.checkWritable();
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.XATTR_SET, inode, h.uid());
        Xattrs.setxattr(ProcSelf.fd(inode.fd()), op.name(), op.value(), op.flags());
        return FuseReplies.ok(h.unique());
    }

    static ByteBuffer remove(HostSession s, FuseInHeader h, FuseOperation.Removexattr op) throws ErrnoException {
        s.checkWritable();
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.XATTR_REMOVE, inode, h.uid());
        Xattrs.removexattr(ProcSelf.fd(inode.fd()), op.name());
        return FuseReplies.ok(h.unique());
    }

    private static ByteBuffer sized(FuseInHeader h, int size, byte[] value) throws ErrnoException {
        if (size == 0) {
            return FuseReplies.xattrSize(h.unique(), value.length);
        }
        if (value.length > size) {
            throw new ErrnoException("xattr of " + value.length + " bytes for a buffer of " + size, Errno.ERANGE);
        }
        return FuseReplies.data(h.unique(), value);
    }

    private XattrOps() {}
}
