package io.dpuoffload.fs.host;

import io.dpuoffload.fs.allowlist.Operation;
import io.dpuoffload.fs.fuse.DirentWriter;
import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.linux.DirEntry;
import io.dpuoffload.linux.Directories;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.OpenFlagsWire;
import io.dpuoffload.linux.Poll;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** Open files and directories: open, read, write, sync, release, fallocate, lseek, readdir. */
final class FileOps {
    /** Flags the host must not apply: creation is CREATE's job, and the magic link must be followed. */
    private static final int NOT_ON_HOST = Flags.O_CREAT
            | Flags.O_EXCL
            | Flags.O_NOCTTY
            | Flags.O_NOFOLLOW
            // O_DIRECT needs aligned buffers on the host; the DPU already bypasses its own cache.
            | Flags.O_DIRECT;

    /** The flags of an OPEN, CREATE or TMPFILE (sent in the wire encoding: see OpenFlagsWire) for the host's openat. */
    static int hostOpenFlags(int wireFlags) {
        return (OpenFlagsWire.fromWire(wireFlags) & ~NOT_ON_HOST) | Flags.O_CLOEXEC;
    }

    /**
     * FOPEN_* for a new handle: stream semantics for fifos; no caching for exports without a TTL
     * (/proc, /sys); on the others the DPU keeps a file's pages from one open to the next. Its
     * kernel drops them when an attribute reply shows another size or mtime (FUSE_AUTO_INVAL_DATA),
     * so a change made on the host is seen within the TTL, like the file's other attributes.
     */
    static int openFlags(HostSession s, boolean fifo) {
        if (fifo) {
            return FuseProtocol.FOPEN_DIRECT_IO | FuseProtocol.FOPEN_NONSEEKABLE | FuseProtocol.FOPEN_STREAM;
        }
        return s.attrs.caches() ? FuseProtocol.FOPEN_KEEP_CACHE : FuseProtocol.FOPEN_DIRECT_IO;
    }

    static ByteBuffer open(HostSession s, FuseInHeader h, FuseOperation.Open op) throws ErrnoException {
        Inode inode = s.inodes.get(h.nodeid());
        int access = op.flags() & Flags.O_ACCMODE;
        boolean writes = access != Flags.O_RDONLY || (op.flags() & Flags.O_TRUNC) != 0;
        if (writes) {
            s.checkWritable();
            s.check(Operation.WRITE, inode, h.uid());
        }
        if (access != Flags.O_WRONLY) {
            s.check(Operation.READ, inode, h.uid());
        }
        s.check(Operation.OPEN, inode, h.uid());
        boolean fifo = inode.type == Flags.S_IFIFO;
        // With the DPU's own access mode, so that the host's fifo counts this reader or writer as
        // it is; for a fifo it may block until the other end opens, as a local open would.
        Handle handle;
        if (fifo) {
            int fd = s.fifoOpens.open(ProcSelf.fd(inode.fd()), hostOpenFlags(op.flags()));
            handle = s.handles.addFifo(FifoEnd.of(fd), inode.nodeid);
        } else {
            int fd = FileCalls.openat(Flags.AT_FDCWD, ProcSelf.fd(inode.fd()), hostOpenFlags(op.flags()), 0);
            handle = s.handles.add(fd, inode.nodeid, false);
        }
        return FuseReplies.open(h.unique(), handle.fh(), openFlags(s, fifo));
    }

    static ByteBuffer opendir(HostSession s, FuseInHeader h) throws ErrnoException {
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.READDIR, inode, h.uid());
        int fd = FileCalls.openat(
                Flags.AT_FDCWD, ProcSelf.fd(inode.fd()), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        Handle handle = s.handles.add(fd, inode.nodeid, true);
        return FuseReplies.open(h.unique(), handle.fh(), s.attrs.caches() ? FuseProtocol.FOPEN_CACHE_DIR : 0);
    }

    /** Reads straight into the reply buffer, after room for the reply header: one copy less. */
    static ByteBuf read(HostSession s, FuseInHeader h, FuseOperation.Read op) throws ErrnoException {
        Handle handle = s.handles.get(op.fh());
        ByteBuf reply = PooledByteBufAllocator.DEFAULT.directBuffer(FuseProtocol.OUT_HEADER_SIZE + op.size());
        try {
            MemorySegment target = MemorySegment.ofBuffer(reply.nioBuffer(FuseProtocol.OUT_HEADER_SIZE, op.size()));
            int count = handle.blocking()
                    ? readFifo(s, handle, target, op.size(), nonBlocking(op.flags()))
                    : FileCalls.pread(handle.fd(), target, op.offset());
            reply.setBytes(0, FuseReplies.dataHeader(h.unique(), count));
            reply.writerIndex(FuseProtocol.OUT_HEADER_SIZE + count);
            return reply;
        } catch (ErrnoException | RuntimeException e) {
            reply.release();
            throw e;
        }
    }

    static ByteBuffer write(HostSession s, FuseInHeader h, FuseOperation.Write op) throws ErrnoException {
        Handle handle = s.handles.get(op.fh());
        ByteBuffer data = op.data();
        int length = data.remaining();
        boolean nonBlocking = nonBlocking(op.flags());
        if (data.isDirect()) {
            return FuseReplies.write(
                    h.unique(), writeAll(s, handle, MemorySegment.ofBuffer(data), length, op.offset(), nonBlocking));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(Math.max(1, length));
            copy.copyFrom(MemorySegment.ofBuffer(data));
            return FuseReplies.write(h.unique(), writeAll(s, handle, copy, length, op.offset(), nonBlocking));
        }
    }

    /** Whether the DPU file's flags (as a READ or WRITE carries them) ask not to wait. */
    private static boolean nonBlocking(int fileFlags) {
        return (fileFlags & Flags.O_NONBLOCK) != 0;
    }

    private static int readFifo(HostSession s, Handle handle, MemorySegment target, int size, boolean nonBlocking)
            throws ErrnoException {
        try {
            return handle.fifo().read(target, size, nonBlocking);
        } catch (ErrnoException e) {
            watchAfterEagain(s, handle, e, Poll.POLLIN);
            throw e;
        }
    }

    /**
     * An EAGAIN answered to a poller (Go's runtime, epoll in edge-triggered mode) must be followed
     * by a notification when the fifo becomes ready, as the local pipe's wake-up would: the DPU's
     * kernel polls again only when woken, and the poll that found it ready last time armed nothing.
     */
    private static void watchAfterEagain(HostSession s, Handle handle, ErrnoException e, int events) {
        long kh = handle.fifo().pollHandle();
        if (e.errno() == Errno.EAGAIN && kh != 0) {
            s.polls.watch(handle, events, kh, s.notifier);
        }
    }

    static ByteBuffer flush(FuseInHeader h) {
        // close(2) on the DPU: nothing reaches the host until RELEASE, whose errors cannot be reported.
        return FuseReplies.ok(h.unique());
    }

    static ByteBuffer release(HostSession s, FuseInHeader h, long fh) {
        s.handles.release(fh);
        return FuseReplies.ok(h.unique());
    }

    static ByteBuffer fsync(HostSession s, FuseInHeader h, long fh, boolean datasync) throws ErrnoException {
        Handle handle = s.handles.get(fh);
        if (datasync) {
            FileCalls.fdatasync(handle.fd());
        } else {
            FileCalls.fsync(handle.fd());
        }
        return FuseReplies.ok(h.unique());
    }

    static ByteBuffer fallocate(HostSession s, FuseInHeader h, FuseOperation.Fallocate op) throws ErrnoException {
        s.checkWritable();
        FileCalls.fallocate(s.handles.get(op.fh()).fd(), op.mode(), op.offset(), op.length());
        return FuseReplies.ok(h.unique());
    }

    /**
     * COPY_FILE_RANGE: the host's kernel copies between the two open files, so the data crosses no
     * channel (without it the DPU's kernel read every page from the host and wrote it back). At most
     * {@link #MAX_COPY_BYTES} a request, which copy_file_range(2) allows: the caller copies on.
     * Both handles were checked at their open (reading and writing); a fifo's is refused as a pipe's
     * is (EINVAL).
     */
    static long copyFileRange(
            HostSession s, long fhIn, long offsetIn, long fhOut, long offsetOut, long length, long flags)
            throws ErrnoException {
        Handle in = s.handles.get(fhIn);
        Handle out = s.handles.get(fhOut);
        if (flags != 0 || in.fifo() != null || out.fifo() != null) {
            throw new ErrnoException("copy_file_range", Errno.EINVAL);
        }
        s.checkWritable();
        return FileCalls.copyFileRange(
                in.fd(), offsetIn, out.fd(), offsetOut, Math.min(Math.max(length, 0), MAX_COPY_BYTES));
    }

    /**
     * The most one COPY_FILE_RANGE copies: a bound on the host's work for one request (a second at
     * disk speed), and within the old reply's 32-bit count.
     */
    static final long MAX_COPY_BYTES = 256L << 20;

    static ByteBuffer lseek(HostSession s, FuseInHeader h, FuseOperation.Lseek op) throws ErrnoException {
        long offset = FileCalls.lseek(s.handles.get(op.fh()).fd(), op.offset(), op.whence());
        return FuseReplies.lseek(h.unique(), offset);
    }

    /** One batch of entries after the cookie {@code offset}, as many as fit in the kernel's buffer. */
    static ByteBuffer readdir(HostSession s, FuseInHeader h, FuseOperation.Readdir op) throws ErrnoException {
        Handle handle = s.handles.get(op.fh());
        Inode directory = s.inodes.get(handle.nodeid());
        DirentWriter writer = DirentWriter.readdir(op.size());
        long cookie = op.offset();
        while (true) {
            var entries = Directories.getdents64(handle.fd(), cookie, op.size());
            if (entries.isEmpty()) {
                break;
            }
            for (DirEntry entry : entries) {
                // A shared fifo is listed as what lookups show: a regular file (see Attrs#attr).
                int type = entry.type() == DirEntry.DT_FIFO && s.sharesFifo(directory, entry.name())
                        ? DirEntry.DT_REG
                        : entry.type();
                if (!writer.add(entry.ino(), entry.offset(), type, entry.name())) {
                    return writer.finish(h.unique());
                }
                cookie = entry.offset();
            }
        }
        return writer.finish(h.unique());
    }

    /**
     * Readiness of a fifo end (or any handle) for the DPU's poll/epoll. When nothing is ready and
     * the kernel asks to be told, a waiter sends NOTIFY_POLL once it is.
     */
    static ByteBuffer poll(HostSession s, FuseInHeader h, FuseOperation.Poll op) throws ErrnoException {
        Handle handle = s.handles.get(op.fh());
        if (handle.fifo() == null) {
            return FuseReplies.poll(h.unique(), Poll.poll(handle.fd(), op.events(), 0));
        }
        boolean notify = (op.flags() & FuseProtocol.POLL_SCHEDULE_NOTIFY) != 0;
        if (notify) {
            handle.fifo().pollHandle(op.kh());
        }
        int revents = handle.fifo().readiness(op.events());
        if (revents == 0 && notify) {
            s.polls.watch(handle, op.events(), op.kh(), s.notifier);
        }
        return FuseReplies.poll(h.unique(), revents);
    }

    private static int writeAll(
            HostSession s, Handle handle, MemorySegment data, int length, long offset, boolean nonBlocking)
            throws ErrnoException {
        if (handle.blocking()) {
            try {
                return handle.fifo().write(data, length, nonBlocking);
            } catch (ErrnoException e) {
                watchAfterEagain(s, handle, e, Poll.POLLOUT);
                throw e;
            }
        }
        int written = 0;
        while (written < length) {
            MemorySegment rest = data.asSlice(written, length - written);
            int count = FileCalls.pwrite(handle.fd(), rest, length - written, offset + written);
            if (count <= 0) {
                break;
            }
            written += count;
            if (handle.blocking()) {
                break; // a fifo writes all at once unless a signal (an INTERRUPT) cut it short: report that, as
                // write(2) does
            }
        }
        return written;
    }

    private FileOps() {}
}
