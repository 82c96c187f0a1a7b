package io.dpuoffload.fs.host;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.FileHandles;
import io.dpuoffload.linux.FileHandles.FileHandle;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.Stat;
import io.dpuoffload.linux.ThreadCredentials;
import java.util.Arrays;

/**
 * Closing an inode's descriptor and opening it again from a file handle, never reaching beyond what
 * the descriptor reached, and never outside the export.
 *
 * <ul>
 *   <li>Only inodes on the export root's own mount get a handle: a handle is opened on the mount of
 *       {@code mountFd} (the export root), so one from another mount (a file system mounted inside
 *       the export, or a bind mount) would name another inode or none.
 *   <li>Where the file system can (ext4, xfs, btrfs, cgroup v1; Linux 6.13+), the handle is
 *       <em>connectable</em>: opening it, the kernel rebuilds the inode's path and answers ESTALE
 *       unless that path lies beneath the export root. Otherwise (tmpfs, overlayfs with
 *       {@code nfs_export}) the path of the reopened descriptor, as the kernel reports it, must lie
 *       inside the export, or the descriptor is closed and the answer is ESTALE; an inode the kernel
 *       cannot give a path for (evicted from its dentry cache) fails closed the same way.
 *   <li>The reopened inode must be the same (device, inode number) as the one encoded.
 * </ul>
 *
 * Opening by handle needs CAP_DAC_READ_SEARCH, which the kernel drops while the thread's fsuid is the
 * DPU caller's; the open alone runs as root (O_PATH: it reads nothing and checks no permission), and
 * every operation after it runs as the caller again, on the reopened descriptor, exactly as before.
 */
final class Reopener implements AutoCloseable {
    /** Where a descriptor's handle is read: its magic link, followed (no name is looked up again). */
    private static final int ENCODE_FLAGS = Flags.AT_SYMLINK_FOLLOW;

    private final int mountFd;
    private final int mountId;
    private final ExportPaths paths;
    /** Cleared when the export's file system refuses connectable handles; guarded by the table's lock. */
    private boolean tryConnectable = true;

    private Reopener(int mountFd, int mountId, ExportPaths paths) {
        this.mountFd = mountFd;
        this.mountId = mountId;
        this.paths = paths;
    }

    /**
     * For the export whose root is {@code rootFd} (O_PATH). Without a usable mount fd (or mount id)
     * nothing gets a handle, and the table drops what it cannot keep open.
     */
    static Reopener forExport(int rootFd, ExportPaths paths) {
        int mountFd = -1;
        try {
            mountFd = FileCalls.openat(
                    Flags.AT_FDCWD, ProcSelf.fd(rootFd), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
            return new Reopener(mountFd, FileHandles.mountIdOf(rootFd), paths);
        } catch (ErrnoException e) {
            if (mountFd >= 0) {
                FileCalls.closeQuietly(mountFd);
            }
            return new Reopener(-1, -1, paths);
        }
    }

    /**
     * A handle for the inode {@code fd} is open on, or null when it cannot be reopened that way (another
     * mount, a file system without handles: procfs, sysfs, overlayfs by default).
     */
    FileHandle encode(int fd) {
        if (mountFd < 0) {
            return null;
        }
        boolean refused = false;
        if (tryConnectable) {
            try {
                return ours(
                        FileHandles.encode(Flags.AT_FDCWD, ProcSelf.fd(fd), ENCODE_FLAGS | FileHandles.CONNECTABLE));
            } catch (ErrnoException e) {
                // EOPNOTSUPP: the file system has no connectable handles (tmpfs); EOVERFLOW: they are
                // too large (overlayfs); EINVAL: the kernel has none (before Linux 6.13).
                refused = e.errno() == Errno.EOPNOTSUPP || e.errno() == Errno.EOVERFLOW || e.errno() == Errno.EINVAL;
            }
        }
        FileHandle plain;
        try {
            plain = FileHandles.encode(Flags.AT_FDCWD, ProcSelf.fd(fd), ENCODE_FLAGS);
        } catch (ErrnoException e) {
            if (refused && sameMount(fd)) {
                tryConnectable = false; // the export's own file system has no handles at all (procfs)
            }
            return null;
        }
        if (refused && plain.mountId() == mountId) {
            tryConnectable = false; // the export's own file system: never ask again
        }
        return ours(plain);
    }

    /** Only a handle of the export root's mount can be opened with {@link #mountFd}. */
    private FileHandle ours(FileHandle handle) {
        return handle.mountId() == mountId ? handle : null;
    }

    /** Opens {@code inode} again from its handle, as root, checked as the class comment says. */
    int open(Inode inode) throws ErrnoException {
        FileHandle handle = inode.handle;
        int fd;
        try {
            fd = ThreadCredentials.callAsFsRoot(
                    () -> FileHandles.open(mountFd, handle, Flags.O_PATH | Flags.O_CLOEXEC));
        } catch (ErrnoException e) {
            throw e.errno() == Errno.ENOENT ? stale(inode) : e;
        } catch (java.io.IOException e) {
            throw new ErrnoException("reopen node " + Long.toHexString(inode.nodeid) + ": " + e, Errno.EIO);
        }
        try {
            Stat stat = Metadata.fstat(fd);
            if (stat.dev() != inode.dev || stat.ino() != inode.ino || (!handle.connectable() && !paths.contains(fd))) {
                throw stale(inode);
            }
            return fd;
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
    }

    /**
     * Opens {@code inode} from its handle, as root, only to name it to the kernel once (the removal of
     * a fanotify mark) and be closed: -1 when it cannot (deleted, so its marks went with it; no
     * handle). The descriptor is O_PATH and reaches nothing, so the export's bounds are not checked
     * ({@link FileHandle#anywhere}: an inode moved out of the export is still unwatched), only that
     * it is the inode encoded.
     */
    int openToUnwatch(Inode inode) {
        FileHandle handle = inode.handle;
        if (handle == null || mountFd < 0) {
            return -1;
        }
        int fd;
        try {
            fd = ThreadCredentials.callAsFsRoot(
                    () -> FileHandles.open(mountFd, handle.anywhere(), Flags.O_PATH | Flags.O_CLOEXEC));
        } catch (java.io.IOException e) {
            return -1;
        }
        try {
            Stat stat = Metadata.fstat(fd);
            if (stat.dev() == inode.dev && stat.ino() == inode.ino) {
                return fd;
            }
        } catch (ErrnoException e) {
            // not the inode: fall through
        }
        FileCalls.closeQuietly(fd);
        return -1;
    }

    /**
     * Whether {@code fd} (just looked up, with the (dev, ino) of the closed {@code inode}) is that inode,
     * not a new file that the number was given to after the inode was deleted: the handles hold the
     * inode's generation. Most of the time the new descriptor encodes to the same handle; otherwise
     * (renamed since, or reached through another hard link) the old handle must still open.
     */
    boolean sameInode(Inode inode, int fd) {
        FileHandle now = encode(fd);
        if (now != null && now.type() == inode.handle.type() && Arrays.equals(now.bytes(), inode.handle.bytes())) {
            return true;
        }
        try {
            FileCalls.closeQuietly(open(inode));
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    private boolean sameMount(int fd) {
        try {
            return FileHandles.mountIdOf(fd) == mountId;
        } catch (ErrnoException e) {
            return false;
        }
    }

    private static ErrnoException stale(Inode inode) {
        return new ErrnoException(
                "node " + Long.toHexString(inode.nodeid) + " (deleted, or moved out of the export)", Errno.ESTALE);
    }

    @Override
    public void close() {
        if (mountFd >= 0) {
            FileCalls.closeQuietly(mountFd);
        }
    }
}
