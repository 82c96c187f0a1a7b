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
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Stat;
import java.nio.ByteBuffer;

/** Attributes: getattr, setattr (chmod, chown, truncate, utimens), readlink, access, statfs. */
final class AttrOps {
    /** The setattr bits that change something; a request with none of them is chown(-1, -1). */
    private static final int CHANGES = FATTR_MODE
            | FATTR_UID
            | FATTR_GID
            | FATTR_SIZE
            | FATTR_ATIME
            | FATTR_MTIME
            | FATTR_ATIME_NOW
            | FATTR_MTIME_NOW;

    static ByteBuffer getattr(HostSession s, FuseInHeader h) throws ErrnoException {
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.GETATTR, inode, h.uid());
        return attrReply(s, h, inode, Metadata.fstat(inode.fd()));
    }

    static ByteBuffer setattr(HostSession s, FuseInHeader h, FuseOperation.Setattr op) throws ErrnoException {
        s.checkWritable();
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.SETATTR, inode, h.uid());
        int valid = op.valid();
        Handle handle = (valid & FATTR_FH) != 0 ? s.handles.get(op.fh()) : null;
        if ((valid & FATTR_MODE) != 0) {
            Metadata.fchmodat(Flags.AT_FDCWD, ProcSelf.fd(inode.fd()), op.mode() & 07777, 0);
        }
        if ((valid & CHANGES) == 0) {
            touchOwnership(inode);
        }
        if ((valid & (FATTR_UID | FATTR_GID)) != 0) {
            Metadata.fchownat(
                    inode.fd(),
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
                Metadata.utimensat(Flags.AT_FDCWD, ProcSelf.fd(inode.fd()), atime[0], atime[1], mtime[0], mtime[1], 0);
            }
        }
        return attrReply(s, h, inode, Metadata.fstat(inode.fd()));
    }

    static ByteBuffer readlink(HostSession s, FuseInHeader h) throws ErrnoException {
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.READ, inode, h.uid());
        return FuseReplies.data(h.unique(), PathCalls.readlinkat(inode.fd(), new byte[0]));
    }

    static ByteBuffer access(HostSession s, FuseInHeader h, FuseOperation.Access op) throws ErrnoException {
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.GETATTR, inode, h.uid());
        if ((op.mask() & 2) != 0) { // W_OK
            s.checkWritable();
        }
        // AT_EACCESS: check with the effective (here: file-system) identity we switched to.
        PathCalls.faccessat2(Flags.AT_FDCWD, ProcSelf.fd(inode.fd()), op.mask(), Flags.AT_EACCESS);
        return FuseReplies.ok(h.unique());
    }

    static ByteBuffer statfs(HostSession s, FuseInHeader h) throws ErrnoException {
        Inode root = s.inodes.root();
        s.check(Operation.STATFS, root, h.uid());
        var st = Metadata.fstatfs(root.fd());
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

    static ByteBuffer attrReply(HostSession s, FuseInHeader h, Inode inode, Stat stat) throws ErrnoException {
        return FuseReplies.attr(h.unique(), s.attrs.ttlSeconds(), s.attrs.ttlNanos(), s.attr(inode, stat));
    }

    /**
     * A setattr that changes nothing arrives for two reasons the wire does not tell apart:
     * chown(f, -1, -1), where POSIX wants ctime updated and, for a non-directory, set-user-id and
     * set-group-id cleared (the DPU's kernel leaves that to us: FUSE_HANDLE_KILLPRIV_V2), and a
     * write by someone else than the owner to a set-id file, whose bits the host's kernel clears by
     * itself when the write arrives. The host's chown with -1, -1 does the first; in the second it
     * fails with EPERM, which must not fail the write, so EPERM is ignored. (A non-owner's own
     * chown(f, -1, -1) therefore succeeds without effect, where ext4 would answer EPERM.)
     */
    private static void touchOwnership(Inode inode) throws ErrnoException {
        try {
            Metadata.fchownat(inode.fd(), new byte[0], -1, -1, Flags.AT_EMPTY_PATH);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EPERM) {
                throw e;
            }
        }
    }

    private static void truncate(Inode inode, Handle handle, long size) throws ErrnoException {
        if (handle != null) {
            FileCalls.ftruncate(handle.fd(), size);
            return;
        }
        // truncate(2) by path: what it answers for anything but a regular file, without opening it
        // (opening a fifo for writing would wait for a reader).
        if (inode.type == Flags.S_IFDIR) {
            throw new ErrnoException("truncate (a directory)", Errno.EISDIR);
        }
        if (inode.type != Flags.S_IFREG) {
            throw new ErrnoException("truncate (not a regular file)", Errno.EINVAL);
        }
        int fd = FileCalls.openat(
                Flags.AT_FDCWD, ProcSelf.fd(inode.fd()), Flags.O_WRONLY | Flags.O_NONBLOCK | Flags.O_CLOEXEC, 0);
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
