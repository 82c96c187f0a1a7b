package io.dpuoffload.fs.client;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.FuseDevice;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the kernel's requests from /dev/fuse on the mount's event loop: the device is one more
 * descriptor in the loop's epoll set, beside the channel to the host. A request therefore reaches
 * the channel, and the host's reply the device, with no hand-off between threads; each hand-off
 * costs a wake-up, tens of microseconds on a small DPU core, more than the rest of the client's work.
 *
 * <p>Everything here runs on the loop, so the one read buffer needs no lock; requests are handed
 * out as views of it, valid until the consumer returns.
 */
final class DeviceReader implements EpollIoHandle {
    private static final Logger log = LoggerFactory.getLogger(DeviceReader.class);

    /** Requests taken per wake-up before the loop turns to its other work, replies among it. */
    private static final int BATCH = 32;

    private final int deviceFd;
    private final FileDescriptor descriptor;
    private final IoEventLoop loop;
    private final Consumer<ByteBuffer> requests;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private IoRegistration registration; // loop only

    private DeviceReader(int deviceFd, IoEventLoop loop, int bufferSize, Consumer<ByteBuffer> requests) {
        this.deviceFd = deviceFd;
        this.descriptor = new FileDescriptor(deviceFd);
        this.loop = loop;
        this.requests = requests;
        this.buffer = arena.allocate(bufferSize, 4096);
    }

    /**
     * Starts reading {@code deviceFd} (made non-blocking) on {@code loop}. Call it after mount(2):
     * before, the device reports an error at once, and a level-triggered loop would spin on it.
     */
    static DeviceReader start(int deviceFd, IoEventLoop loop, int bufferSize, Consumer<ByteBuffer> requests)
            throws ErrnoException {
        int flags = FileCalls.fcntl(deviceFd, Flags.F_GETFL, 0);
        FileCalls.fcntl(deviceFd, Flags.F_SETFL, flags | Flags.O_NONBLOCK);
        DeviceReader reader = new DeviceReader(deviceFd, loop, bufferSize, requests);
        loop.register(reader).addListener(registered -> {
            if (!registered.isSuccess()) {
                log.error(
                        "cannot watch /dev/fuse on the event loop: {}",
                        registered.cause().toString());
                reader.finish();
                return;
            }
            reader.registration = (IoRegistration) registered.getNow();
            reader.registration.submit(EpollIoOps.EPOLLIN);
        });
        return reader;
    }

    /** Completes when reading has ended: the mount is gone, or {@link #stop} was called. */
    CompletableFuture<Void> stopped() {
        return stopped;
    }

    /** Stops reading; safe from any thread. */
    void stop() {
        if (loop.inEventLoop()) {
            finish();
        } else {
            loop.execute(this::finish);
        }
    }

    @Override
    public FileDescriptor fd() {
        return descriptor;
    }

    @Override
    public void handle(IoRegistration ignored, IoEvent event) {
        for (int i = 0; i < BATCH && !stopped.isDone(); i++) {
            int length;
            try {
                length = FuseDevice.read(deviceFd, buffer);
            } catch (ErrnoException e) {
                switch (e.errno()) {
                    case Errno.EAGAIN -> {
                        return; // drained; epoll calls again when the kernel queues more
                    }
                    case Errno.ENOENT, Errno.EINTR -> {
                        continue; // a request interrupted before we read it
                    }
                    case Errno.ENODEV -> finish(); // unmounted
                    default -> {
                        log.error("reading /dev/fuse failed; this mount stops serving: {}", e.getMessage());
                        finish();
                    }
                }
                return;
            }
            requests.accept(buffer.asSlice(0, length).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
        }
    }

    private void finish() {
        if (stopped.isDone()) {
            return;
        }
        if (registration != null) {
            registration.cancel();
        }
        arena.close();
        stopped.complete(null);
    }

    /** The descriptor belongs to the mount, which closes it; the loop only lets go of it. */
    @Override
    public void close() {
        stop();
    }
}
