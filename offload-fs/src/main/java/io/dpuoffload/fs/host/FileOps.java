package io.dpuoffload.fs.host;

import io.dpuoffload.fs.allowlist.Operation;
import io.dpuoffload.fs.fuse.DirentWriter;
import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.linux.DirEntry;
import io.dpuoffload.linux.Directories;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.OpenFlagsWire;
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
        // May block for a fifo until the other end opens, as a local open would.
        int fd = FileCalls.openat(Flags.AT_FDCWD, ProcSelf.fd(inode.fd()), hostOpenFlags(op.flags()), 0);
        Handle handle = s.handles.add(fd, inode.nodeid, false, fifo);
        return FuseReplies.open(h.unique(), handle.fh(), openFlags(s, fifo));
    }

    static ByteBuffer opendir(HostSession s, FuseInHeader h) throws ErrnoException {
        Inode inode = s.inodes.get(h.nodeid());
        s.check(Operation.READDIR, inode, h.uid());
        int fd = FileCalls.openat(
                Flags.AT_FDCWD, ProcSelf.fd(inode.fd()), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        Handle handle = s.handles.add(fd, inode.nodeid, true, false);
        return FuseReplies.open(h.unique(), handle.fh(), s.attrs.caches() ? FuseProtocol.FOPEN_CACHE_DIR : 0);
    }

    /** Reads straight into the reply buffer, after room for the reply header: one copy less. */
    static ByteBuf read(HostSession s, FuseInHeader h, FuseOperation.Read op) throws ErrnoException {
        Handle handle = s.handles.get(op.fh());
        ByteBuf reply = PooledByteBufAllocator.DEFAULT.directBuffer(FuseProtocol.OUT_HEADER_SIZE + op.size());
        try {
            MemorySegment target = MemorySegment.ofBuffer(reply.nioBuffer(FuseProtocol.OUT_HEADER_SIZE, op.size()));
            int count = handle.blocking()
                    ? FileCalls.read(handle.fd(), target)
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
        if (data.isDirect()) {
            return FuseReplies.write(h.unique(), writeAll(handle, MemorySegment.ofBuffer(data), length, op.offset()));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(Math.max(1, length));
            copy.copyFrom(MemorySegment.ofBuffer(data));
            return FuseReplies.write(h.unique(), writeAll(handle, copy, length, op.offset()));
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
        int revents = io.dpuoffload.linux.Poll.poll(handle.fd(), op.events(), 0);
        if (revents == 0 && (op.flags() & FuseProtocol.POLL_SCHEDULE_NOTIFY) != 0) {
            s.polls.watch(s.handles, handle, op.events(), op.kh(), s.notifier);
        }
        return FuseReplies.poll(h.unique(), revents);
    }

    private static int writeAll(Handle handle, MemorySegment data, int length, long offset) throws ErrnoException {
        int written = 0;
        while (written < length) {
            MemorySegment rest = data.asSlice(written, length - written);
            int count = handle.blocking()
                    ? FileCalls.write(handle.fd(), rest, length - written)
                    : FileCalls.pwrite(handle.fd(), rest, length - written, offset + written);
            if (count <= 0) {
                break;
            }
            written += count;
        }
        return written;
    }

    private FileOps() {}
}
