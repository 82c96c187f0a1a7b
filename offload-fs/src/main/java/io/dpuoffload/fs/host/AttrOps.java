package io.dpuoffload.fs.host;

import static io.dpuoffload.fs.fuse.FuseProtocol.FATTR_ATIME;
import static io.dpuoffload.fs.fuse.FuseProtocol.FATTR_ATIME_NOW;
import static io.dpuoffload.fs.fuse.FuseProtocol.FATTR_FH;
import static io.dpuoffload.fs.fuse.FuseProtocol.FATTR_GID;
import static io.dpuoffload.fs.fuse.FuseProtocol.FATTR_MODE;
import static io.dpuoffload.fs.fuse.FuseProtocol.FATTR_MTIME;
import static io.dpuoffload.fs.fuse.FuseProtocol.FATTR_MTIME_NOW;
import static io.dpuoffload.fs.fuse.FuseProtocol.FATTR_SIZE;
import static io.dpuoffload.fs.fuse.FuseProtocol.FATTR_UID;

import io.dpuoffload.fs.allowlist.Operation;
import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.fs.fuse.FuseStatfs;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Stat;
import java.nio.ByteBuffer;

/** Attributes: getattr, setattr (chmod, chown, truncate, utimens), readlink, access, statfs. */
final class AttrOps {

    static ByteBuffer getattr(HostSession s, FuseInHeader h) throws ErrnoException {
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.GETATTR, inode, h.uid());
        return attrReply(s, h, Metadata.fstat(inode.fd));
    }

    static ByteBuffer setattr(HostSession s, FuseInHeader h, FuseOperation.Setattr op) throws ErrnoException {
        s.checkWritable();
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.SETATTR, inode, h.uid());
        int valid = op.valid();
        Handle handle = (valid & FATTR_FH) != 0 ? s.handles.get(op.fh()) : null;
        if ((valid & FATTR_MODE) != 0) {
            Metadata.fchmodat(Flags.AT_FDCWD, ProcSelf.fd(inode.fd), op.mode() & 07777, 0);
        }
        if ((valid & (FATTR_UID | FATTR_GID)) != 0) {
            Metadata.fchownat(
                    inode.fd,
                    new byte[0],
                    (valid & FATTR_UID) != 0 ? op.uid() : -1,
                    (valid & FATTR_GID) != 0 ? op.gid() : -1,
                    Flags.AT_EMPTY_PATH);
        }
        if ((valid & FATTR_SIZE) != 0) {
            truncate(inode, handle, op.size());
        }
        if ((valid & (FATTR_ATIME | FATTR_MTIME)) != 0) {
            long[] atime = time(valid, FATTR_ATIME, FATTR_ATIME_NOW, op.atime(), op.atimensec());
            long[] mtime = time(valid, FATTR_MTIME, FATTR_MTIME_NOW, op.mtime(), op.mtimensec());
            if (handle != null) {
                Metadata.futimens(handle.fd(), atime[0], atime[1], mtime[0], mtime[1]);
            } else {
                Metadata.utimensat(Flags.AT_FDCWD, ProcSelf.fd(inode.fd), atime[0], atime[1], mtime[0], mtime[1], 0);
            }
        }
        return attrReply(s, h, Metadata.fstat(inode.fd));
    }

    static ByteBuffer readlink(HostSession s, FuseInHeader h) throws ErrnoException {
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.READ, inode, h.uid());
        return FuseReplies.data(h.unique(), PathCalls.readlinkat(inode.fd, new byte[0]));
    }

    static ByteBuffer access(HostSession s, FuseInHeader h, FuseOperation.Access op) throws ErrnoException {
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.GETATTR, inode, h.uid());
        if ((op.mask() & 2) != 0) { // W_OK
            s.checkWritable();
        }
        // AT_EACCESS: check with the effective (here: file-system) identity we switched to.
        PathCalls.faccessat2(Flags.AT_FDCWD, ProcSelf.fd(inode.fd), op.mask(), Flags.AT_EACCESS);
        return FuseReplies.ok(h.unique());
    }

    static ByteBuffer statfs(HostSession s, FuseInHeader h) throws ErrnoException {
        Inode root = s.inodes.root();
        s.check(Operation.STATFS, root, h.uid());
        var st = Metadata.fstatfs(root.fd);
        return FuseReplies.statfs(
                h.unique(),
                new FuseStatfs(
                        st.blocks(),
                        st.bfree(),
                        st.bavail(),
                        st.files(),
                        st.ffree(),
                        (int) st.bsize(),
                        (int) st.namelen(),
                        (int) st.frsize()));
    }

    static ByteBuffer attrReply(HostSession s, FuseInHeader h, Stat stat) {
        return FuseReplies.attr(h.unique(), s.attrs.ttlSeconds(), s.attrs.ttlNanos(), s.attrs.attr(stat));
    }

    private static void truncate(Inode inode, Handle handle, long size) throws ErrnoException {
        if (handle != null) {
            FileCalls.ftruncate(handle.fd(), size);
            return;
        }
        int fd = FileCalls.openat(Flags.AT_FDCWD, ProcSelf.fd(inode.fd), Flags.O_WRONLY | Flags.O_CLOEXEC, 0);
        try {
            FileCalls.ftruncate(fd, size);
        } finally {
            FileCalls.close(fd);
        }
    }

    /** {seconds, nanoseconds} for utimensat: the given time, now, or leave alone. */
    private static long[] time(int valid, int setBit, int nowBit, long seconds, int nanos) {
        if ((valid & nowBit) != 0) {
            return new long[] {0, Flags.UTIME_NOW};
        }
        if ((valid & setBit) != 0) {
            return new long[] {seconds, nanos};
        }
        return new long[] {0, Flags.UTIME_OMIT};
    }

    private AttrOps() {}
}
