package io.dpuoffload.fs.host;

import io.dpuoffload.fs.allowlist.Operation;
import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Stat;
import java.nio.ByteBuffer;

/**
 * Operations on names in a directory: lookup, create in all its forms, remove, rename, link. Every
 * name is one component resolved beneath the parent's descriptor; nothing escapes the export.
 */
final class EntryOps {
    /** Beneath the parent, and no /proc magic links on the way. */
    static final long RESOLVE = Flags.RESOLVE_BENEATH | Flags.RESOLVE_NO_MAGICLINKS;

    /**
     * In a /proc view's root, {@code net} is the host's network: the directory of this server's own
     * process (the host's network namespace), where it is otherwise the link {@code self/net}, which
     * the DPU's kernel would follow to the caller's own. The interfaces a daemon on the DPU reads
     * there (libvirt's {@code /proc/net/dev}, for a VM's interface statistics) are the host's,
     * where its VMs' interfaces are, as the rest of the view is the host's.
     */
    private static final byte[] NET = {'n', 'e', 't'};

    private static final byte[] OWN_NET = {'s', 'e', 'l', 'f', '/', 'n', 'e', 't'};

    static ByteBuffer lookup(HostSession s, FuseInHeader h, FuseOperation.Lookup op) throws ErrnoException {
        Inode parent = s.inodes.get(h.nodeid());
        s.checkChild(Operation.LOOKUP, parent, Names.component(op.name()), h.uid());
        try {
            if (s.export.procView()
                    && h.nodeid() == io.dpuoffload.fs.fuse.FuseProtocol.ROOT_ID
                    && java.util.Arrays.equals(op.name(), NET)) {
                return entry(
                        s,
                        h,
                        FileCalls.openat2(
                                parent.fd(), OWN_NET, Flags.O_PATH | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0, RESOLVE));
            }
            return entry(s, h, parent, op.name());
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT && s.attrs.caches()) {
                return FuseReplies.entry(h.unique(), s.attrs.negative());
            }
            throw e;
        }
    }

    static ByteBuffer mknod(HostSession s, FuseInHeader h, FuseOperation.Mknod op) throws ErrnoException {
        Inode parent = writableParent(s, h, Operation.MKNOD, op.name());
        int type = op.mode() & Flags.S_IFMT;
        if ((type == Flags.S_IFCHR || type == Flags.S_IFBLK) && !s.export.devices()) {
            throw new ErrnoException("mknod of a device node (the export has devices: false)", Errno.EPERM);
        }
        PathCalls.mknodat(parent.fd(), op.name(), op.mode(), Attrs.decodeDev(op.rdev()));
        // The kernel insists on the type it asked for; for a shared fifo, with no cache lifetime, so
        // that the next lookup replaces this entry by the shared one (see Attrs#attr).
        int fd = FileCalls.openat2(
                parent.fd(), op.name(), Flags.O_PATH | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0, RESOLVE);
        Stat stat;
        try {
            stat = Metadata.fstat(fd);
        } catch (ErrnoException e) {
            FileCalls.close(fd);
            throw e;
        }
        Inode inode = s.inodes.add(fd, stat);
        return FuseReplies.entry(
                h.unique(), s.sharesFifo(inode, stat) ? s.attrs.exactUncachedEntry(inode, stat) : s.entry(inode, stat));
    }

    static ByteBuffer mkdir(HostSession s, FuseInHeader h, FuseOperation.Mkdir op) throws ErrnoException {
        Inode parent = writableParent(s, h, Operation.MKDIR, op.name());
        PathCalls.mkdirat(parent.fd(), op.name(), op.mode());
        return entry(s, h, parent, op.name());
    }

    static ByteBuffer symlink(HostSession s, FuseInHeader h, FuseOperation.Symlink op) throws ErrnoException {
        Inode parent = writableParent(s, h, Operation.SYMLINK, op.name());
        PathCalls.symlinkat(op.target(), parent.fd(), op.name());
        return entry(s, h, parent, op.name());
    }

    static ByteBuffer link(HostSession s, FuseInHeader h, FuseOperation.Link op) throws ErrnoException {
        Inode parent = writableParent(s, h, Operation.LINK, op.newname());
        Inode target = s.inodes.get(op.oldnodeid());
        s.check(Operation.LINK, target, h.uid());
        // Through the magic link: linkat(fd, "", AT_EMPTY_PATH) would need CAP_DAC_READ_SEARCH,
        // which the caller's identity does not have.
        PathCalls.linkat(Flags.AT_FDCWD, ProcSelf.fd(target.fd()), parent.fd(), op.newname(), Flags.AT_SYMLINK_FOLLOW);
        return entry(s, h, parent, op.newname());
    }

    static ByteBuffer unlink(HostSession s, FuseInHeader h, FuseOperation.Unlink op) throws ErrnoException {
        Inode parent = writableParent(s, h, Operation.UNLINK, op.name());
        PathCalls.unlinkat(parent.fd(), op.name(), 0);
        return FuseReplies.ok(h.unique());
    }

    static ByteBuffer rmdir(HostSession s, FuseInHeader h, FuseOperation.Rmdir op) throws ErrnoException {
        Inode parent = writableParent(s, h, Operation.RMDIR, op.name());
        PathCalls.unlinkat(parent.fd(), op.name(), Flags.AT_REMOVEDIR);
        return FuseReplies.ok(h.unique());
    }

    static ByteBuffer rename(HostSession s, FuseInHeader h, long newdir, int flags, byte[] oldname, byte[] newname)
            throws ErrnoException {
        Inode from = writableParent(s, h, Operation.RENAME, oldname);
        Inode to = s.inodes.get(newdir);
        s.checkChild(Operation.RENAME, to, Names.newComponent(newname), h.uid());
        PathCalls.renameat2(from.fd(), oldname, to.fd(), newname, flags);
        return FuseReplies.ok(h.unique());
    }

    /**
     * TMPFILE (open with O_TMPFILE): an unnamed file in the parent directory, opened on the host as
     * the caller; linkat(2) can give it a name later (LINK goes through the same magic link).
     */
    static ByteBuffer tmpfile(HostSession s, FuseInHeader h, FuseOperation.Tmpfile op) throws ErrnoException {
        s.checkWritable();
        Inode parent = s.inodes.get(h.nodeid());
        s.check(Operation.CREATE, parent, h.uid());
        int flags = (FileOps.hostOpenFlags(op.flags()) & ~Flags.O_TMPFILE) | Flags.O_TMPFILE;
        int fd = FileCalls.openat(Flags.AT_FDCWD, ProcSelf.fd(parent.fd()), flags, op.mode() & 07777);
        Inode inode;
        Stat stat;
        try {
            int pathFd = FileCalls.openat(Flags.AT_FDCWD, ProcSelf.fd(fd), Flags.O_PATH | Flags.O_CLOEXEC, 0);
            stat = Metadata.fstat(pathFd);
            inode = s.inodes.add(pathFd, stat);
        } catch (ErrnoException e) {
            FileCalls.close(fd);
            throw e;
        }
        Handle handle = s.handles.add(fd, inode.nodeid, false);
        return FuseReplies.create(
                h.unique(), s.attrs.entry(inode, stat, false), handle.fh(), FileOps.openFlags(s, false));
    }

    /** CREATE: open(O_CREAT) beneath the parent, then the new inode's entry and a handle. */
    static ByteBuffer create(HostSession s, FuseInHeader h, FuseOperation.Create op) throws ErrnoException {
        Inode parent = writableParent(s, h, Operation.CREATE, op.name());
        // O_EXCL stays: the DPU's kernel saw no such name, but a host process (or another DPU) may
        // have created it since, and an exclusive create (a lock file) must then fail, not open it.
        int flags = FileOps.hostOpenFlags(op.flags()) | Flags.O_CREAT | (op.flags() & Flags.O_EXCL);
        int fd = FileCalls.openat2(parent.fd(), op.name(), flags, op.mode() & 07777, RESOLVE);
        Handle handle;
        Inode inode;
        Stat stat;
        try {
            int pathFd = FileCalls.openat2(
                    parent.fd(), op.name(), Flags.O_PATH | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0, RESOLVE);
            stat = Metadata.fstat(pathFd);
            inode = s.inodes.add(pathFd, stat);
        } catch (ErrnoException e) {
            FileCalls.close(fd);
            throw e;
        }
        handle = s.handles.add(fd, inode.nodeid, false);
        return FuseReplies.create(
                h.unique(), s.attrs.entry(inode, stat, false), handle.fh(), FileOps.openFlags(s, false));
    }

    /** Opens the named inode as O_PATH (no following), records the lookup and answers its entry. */
    static ByteBuffer entry(HostSession s, FuseInHeader h, Inode parent, byte[] name) throws ErrnoException {
        return entry(
                s,
                h,
                FileCalls.openat2(parent.fd(), name, Flags.O_PATH | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0, RESOLVE));
    }

    /** Records the lookup of {@code fd}, an O_PATH descriptor of the inode, and answers its entry. */
    private static ByteBuffer entry(HostSession s, FuseInHeader h, int fd) throws ErrnoException {
        Stat stat;
        try {
            stat = Metadata.fstat(fd);
        } catch (ErrnoException e) {
            FileCalls.close(fd);
            throw e;
        }
        Inode inode = s.inodes.add(fd, stat);
        return FuseReplies.entry(h.unique(), s.entry(inode, stat));
    }

    private static Inode writableParent(HostSession s, FuseInHeader h, Operation op, byte[] name)
            throws ErrnoException {
        s.checkWritable();
        Inode parent = s.inodes.get(h.nodeid());
        s.checkChild(op, parent, Names.newComponent(name), h.uid());
        return parent;
    }

    private EntryOps() {}
}
