package io.dpuoffload.fs.client;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.FuseDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes replies and notifications to /dev/fuse through a descriptor of its own. FsMount closes the
 * device descriptor at unmount while replies from the host may still arrive, and writing one to a
 * closed descriptor number — which the process may meanwhile have given to another file — would
 * write FUSE reply bytes into that file. This one is closed only by {@link #close}, under the write
 * lock; later messages are dropped.
 */
final class DeviceWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeviceWriter.class);

    private final int fd;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lock

    DeviceWriter(int deviceFd) throws ErrnoException {
        this.fd = FileCalls.fcntl(deviceFd, Flags.F_DUPFD_CLOEXEC, 0);
    }

    /** Writes one whole message; dropped after {@link #close} (unmounted: nobody waits for it). */
    void write(ByteBuffer message) {
        int length = message.remaining();
        lock.readLock().lock();
        try (Arena arena = message.isDirect() ? null : Arena.ofConfined()) {
            if (closed) {
                return;
            }
            // Replies from the host arrive in direct buffers, written as they are; the few built
            // here on the heap are copied, as a system call needs native memory.
            MemorySegment segment = MemorySegment.ofBuffer(message);
            if (arena != null) {
                segment = arena.allocate(length).copyFrom(segment);
            }
            FuseDevice.write(fd, segment, length);
        } catch (ErrnoException e) {
            // ENOENT: the request was interrupted and the kernel no longer waits for it.
            if (e.errno() != Errno.ENOENT && e.errno() != Errno.ENODEV) {
                log.warn("writing a reply to /dev/fuse failed: {}", e.getMessage());
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                FileCalls.close(fd);
            }
        } catch (ErrnoException ignored) {
            // closed either way
        } finally {
            lock.writeLock().unlock();
        }
    }
}
