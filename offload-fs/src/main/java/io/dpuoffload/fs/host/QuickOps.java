package io.dpuoffload.fs.host;

import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseRequest;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Flags;

/**
 * Which requests the host runs in place, on the connection's event loop, instead of handing them to
 * a pool thread. A hand-off and the wake-up back cost two context switches, more than a metadata
 * operation itself; but an operation that can wait (a fifo, poll, fsync, a large transfer, reading
 * or writing under /proc or /sys, whose files run driver code) would stall every other request of
 * the connection, so those still go to the pool.
 */
final class QuickOps {
    /** Transfers up to this size take a few microseconds to copy; larger ones overlap better on the pool. */
    static final int MAX_IN_PLACE_BYTES = 128 * 1024;

    static boolean runInPlace(HostSession s, FuseRequest request) {
        if (s.export.procView()) {
            return inPlaceUnderProc(s, request);
        }
        return switch (request.operation()) {
            case FuseOperation.Lookup o -> true;
            case FuseOperation.Forget o -> true;
            case FuseOperation.BatchForget o -> true;
            case FuseOperation.Getattr o -> true;
            case FuseOperation.Setattr o -> true;
            case FuseOperation.Readlink o -> true;
            case FuseOperation.Access o -> true;
            case FuseOperation.Statfs o -> true;
            case FuseOperation.Symlink o -> true;
            case FuseOperation.Mknod o -> true; // creating a fifo never waits; opening one does
            case FuseOperation.Mkdir o -> true;
            case FuseOperation.Unlink o -> true;
            case FuseOperation.Rmdir o -> true;
            case FuseOperation.Rename o -> true;
            case FuseOperation.Rename2 o -> true;
            case FuseOperation.Link o -> true;
            case FuseOperation.Getxattr o -> true;
            case FuseOperation.Listxattr o -> true;
            case FuseOperation.Setxattr o -> true;
            case FuseOperation.Removexattr o -> true;
            case FuseOperation.Lseek o -> true;
            case FuseOperation.Releasedir o -> true;
            case FuseOperation.Create o -> s.handles.roomNow();
            case FuseOperation.Tmpfile o -> s.handles.roomNow();
            case FuseOperation.Opendir o -> s.handles.roomNow();
            case FuseOperation.Readdir o -> true;
            case FuseOperation.Open o ->
                s.handles.roomNow() && regularOrDirectory(s, request.header().nodeid());
            case FuseOperation.Release o -> true;
            case FuseOperation.Read o -> o.size() <= MAX_IN_PLACE_BYTES && regularHandle(s, o.fh());
            case FuseOperation.Write o -> o.size() <= MAX_IN_PLACE_BYTES && regularHandle(s, o.fh());
            default -> false;
        };
    }

    /**
     * Under /proc and /sys only the name lookups, attributes and opens: reading or writing a file
     * there runs kernel code that may wait (a process's memory lock for /proc/PID/cmdline, a
     * driver's show or store function), so it goes to the pool.
     */
    private static boolean inPlaceUnderProc(HostSession s, FuseRequest request) {
        return switch (request.operation()) {
            case FuseOperation.Lookup o -> true;
            case FuseOperation.Forget o -> true;
            case FuseOperation.BatchForget o -> true;
            case FuseOperation.Getattr o -> true;
            case FuseOperation.Readlink o -> true;
            case FuseOperation.Access o -> true;
            case FuseOperation.Open o ->
                s.handles.roomNow() && regularOrDirectory(s, request.header().nodeid());
            case FuseOperation.Opendir o -> s.handles.roomNow();
            case FuseOperation.Release o -> true;
            case FuseOperation.Releasedir o -> true;
            default -> false;
        };
    }

    /** Opening anything else (a fifo, a device) may wait for the other end or for a driver. */
    private static boolean regularOrDirectory(HostSession s, long nodeid) {
        try {
            int type = s.inodes.get(nodeid).type;
            return type == Flags.S_IFREG || type == Flags.S_IFDIR;
        } catch (ErrnoException e) {
            return false; // the pool answers it with the error
        }
    }

    /** A fifo's handle reads and writes wait for the other end. */
    private static boolean regularHandle(HostSession s, long fh) {
        try {
            return !s.handles.get(fh).blocking();
        } catch (ErrnoException e) {
            return false;
        }
    }

    private QuickOps() {}
}
