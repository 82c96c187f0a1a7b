package io.dpuoffload.exec.console;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.EventFd;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Poll;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of a VM's console carried over the channel: the bytes of a terminal descriptor (the host
 * pty QEMU's serial port is on; on the DPU, the master of the pty libvirtd opens) go to a stream,
 * and the stream's bytes are written to it. Two platform threads, each waiting in poll(2) with a
 * wake-up eventfd, so that {@link #close} ends them wherever they wait.
 *
 * <p>A terminal nobody reads fills up: with {@code dropWhenFull}, what does not fit is dropped (the
 * DPU's end, whose pty only has a reader while a console is open: QEMU drops its output the same way
 * when nobody is connected); without, writing waits (the host's end: what a user types is not lost).
 */
public final class ConsoleRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleRelay.class);
    private static final int CHUNK = 4096;

    private final int fd;
    private final int wake;
    private final ByteStream stream;
    private final boolean dropWhenFull;
    private final String description;
    private final Runnable ended;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicInteger running = new AtomicInteger(2);

    private ConsoleRelay(
            int fd, int wake, ByteStream stream, boolean dropWhenFull, String description, Runnable ended) {
        this.fd = fd;
        this.wake = wake;
        this.stream = stream;
        this.dropWhenFull = dropWhenFull;
        this.description = description;
        this.ended = ended;
    }

    /**
     * Relays {@code fd} (taken over: closed when the relay ends) and {@code stream} both ways until
     * either ends or {@link #close} is called; then {@code ended} runs once.
     */
    public static ConsoleRelay start(
            int fd, ByteStream stream, boolean dropWhenFull, String description, Runnable ended) throws ErrnoException {
        int wake;
        try {
            FileCalls.fcntl(fd, Flags.F_SETFL, FileCalls.fcntl(fd, Flags.F_GETFL, 0) | Flags.O_NONBLOCK);
            wake = EventFd.eventfd(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(fd);
            stream.cancel("cannot relay " + description + ": " + e.getMessage());
            throw e;
        }
        ConsoleRelay relay = new ConsoleRelay(fd, wake, stream, dropWhenFull, description, ended);
        Thread.ofPlatform().daemon().name("console-out " + description).start(relay::toStream);
        Thread.ofPlatform().daemon().name("console-in " + description).start(relay::fromStream);
        return relay;
    }

    /** Whether both directions have ended (and {@code ended} has run). */
    public boolean hasEnded() {
        return running.get() == 0;
    }

    /** Ends both directions: the peer sees the stream cancelled. */
    @Override
    public void close() {
        if (closing.compareAndSet(false, true)) {
            stream.cancel("console closed");
            try {
                EventFd.add(wake, 1);
            } catch (ErrnoException e) {
                log.warn("{}: cannot wake the console's threads: {}", description, e.getMessage());
            }
        }
    }

    private void toStream() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(CHUNK);
            while (waitFor(Poll.POLLIN)) {
                int n;
                try {
                    n = FileCalls.read(fd, buffer);
                } catch (ErrnoException e) {
                    if (e.is(Errno.EAGAIN)) {
                        continue;
                    }
                    log.debug("{}: the terminal ended: {}", description, e.getMessage()); // EIO: its other side closed
                    return;
                }
                if (n == 0) {
                    log.debug("{}: the terminal hung up", description);
                    return;
                }
                ByteBuf chunk = Unpooled.wrappedBuffer(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                stream.write(chunk).join(); // one chunk at a time: a slow peer slows the reads, nothing queues
            }
        } catch (ErrnoException | RuntimeException e) {
            log.debug("{}: console output relay ended: {}", description, e.toString());
        } finally {
            done();
        }
    }

    private void fromStream() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(CHUNK);
            while (true) {
                ByteBuf chunk = stream.read();
                if (chunk == null) {
                    return;
                }
                try {
                    while (chunk.isReadable()) {
                        int n = Math.min(CHUNK, chunk.readableBytes());
                        byte[] bytes = new byte[n];
                        chunk.readBytes(bytes);
                        MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, n);
                        if (writeSome(buffer, n) < 0) {
                            return;
                        }
                    }
                } finally {
                    chunk.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ErrnoException | RuntimeException e) {
            log.debug("{}: console input relay ended: {}", description, e.toString());
        } finally {
            done();
        }
    }

    /** Writes {@code n} bytes of {@code buffer} (or drops them); -1 once the relay is closing. */
    private int writeSome(MemorySegment buffer, int n) throws ErrnoException {
        int off = 0;
        while (off < n) {
            try {
                off += FileCalls.write(fd, buffer.asSlice(off), n - off);
            } catch (ErrnoException e) {
                if (!e.is(Errno.EAGAIN)) {
                    throw e;
                }
                if (dropWhenFull) {
                    return n; // nobody reads this terminal now
                }
                if (!waitFor(Poll.POLLOUT)) {
                    return -1;
                }
            }
        }
        return n;
    }

    /** Waits until the terminal is ready for {@code events}; false once the relay is closing. */
    private boolean waitFor(short events) throws ErrnoException {
        short[] revents = new short[2];
        while (!closing.get()) {
            Poll.poll(new int[] {fd, wake}, new short[] {events, Poll.POLLIN}, revents, -1);
            if (revents[1] != 0) {
                return false;
            }
            if ((revents[0] & (events | Poll.POLLERR | Poll.POLLHUP)) != 0) {
                return true; // the read or write then says what it is
            }
        }
        return false;
    }

    private void done() {
        close();
        if (running.decrementAndGet() == 0) {
            FileCalls.closeQuietly(fd);
            FileCalls.closeQuietly(wake);
            ended.run();
        }
    }
}
