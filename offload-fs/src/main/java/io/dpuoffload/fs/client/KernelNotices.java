package io.dpuoffload.fs.client;

import io.dpuoffload.fs.fuse.FuseNotifyCode;
import io.dpuoffload.fs.fuse.FuseProtocol;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the host's notifications (NOTIFY_POLL, invalidations) to the mount's /dev/fuse. A message
 * from the host carries one or more, back to back, each with its own length.
 *
 * <p>Those the kernel handles without waiting (NOTIFY_POLL, and NOTIFY_INVAL_INODE of attributes
 * only) are written at once, on the event loop that delivers the message, so they reach the kernel
 * in the order the host sent them relative to its replies (the host's invalidations before the reply
 * to an OPEN). The others may wait: NOTIFY_INVAL_ENTRY and NOTIFY_DELETE take the directory's lock,
 * which a process waiting for a reply on this very event loop may hold, and dropping pages waits for
 * page locks held by reads in flight. They go to a thread of their own, in order.
 */
final class KernelNotices implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KernelNotices.class);

    /**
     * Notifications waiting for the thread. The host coalesces them and sends a few messages a
     * millisecond at most; beyond this many the kernel is stuck, and a dropped invalidation costs
     * at most one cache TTL of staleness (logged).
     */
    private static final int MAX_QUEUED = 4096;

    /** offsetof(fuse_notify_inval_inode_out, off) after the out header. */
    private static final int INVAL_INODE_OFFSET_AT = FuseProtocol.OUT_HEADER_SIZE + 8;

    private final Consumer<ByteBuffer> kernel;
    private final LongConsumer hostChanged;
    private final BlockingQueue<ByteBuffer> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final Thread writer;
    private volatile boolean closed;
    private volatile boolean dropReported;

    /**
     * {@code kernel} writes one notification to /dev/fuse; {@code hostChanged} hears of each node
     * whose attributes the host invalidates (a host program changed it, or names in it), before the
     * kernel does, so that nothing the DPU keeps of it outlives the kernel's copy.
     */
    KernelNotices(String mount, Consumer<ByteBuffer> kernel, LongConsumer hostChanged) {
        this.kernel = kernel;
        this.hostChanged = hostChanged;
        this.writer = Thread.ofPlatform().daemon().name("fs-notices-" + mount).start(this::run);
    }

    /** Delivers every notification in {@code message} (the reader's buffer: not kept). */
    void deliver(ByteBuffer message) {
        ByteBuffer b = message.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= FuseProtocol.OUT_HEADER_SIZE) {
            int length = b.getInt(b.position());
            if (length < FuseProtocol.OUT_HEADER_SIZE || length > b.remaining()) {
                log.warn("dropping a malformed notification from the host ({} bytes of {})", length, b.remaining());
                return;
            }
            ByteBuffer one = b.slice(b.position(), length).order(ByteOrder.LITTLE_ENDIAN);
            b.position(b.position() + length);
            changedNode(one).ifPresent(hostChanged::accept);
            if (waitsForNothing(one)) {
                kernel.accept(one);
            } else {
                enqueue(copy(one));
            }
        }
    }

    /** The node an INVAL_INODE or INVAL_ENTRY (its directory) names. */
    private static java.util.OptionalLong changedNode(ByteBuffer notification) {
        int code = notification.getInt(4);
        boolean names = code == FuseNotifyCode.INVAL_INODE.code() || code == FuseNotifyCode.INVAL_ENTRY.code();
        return names && notification.remaining() >= FuseProtocol.OUT_HEADER_SIZE + 8
                ? java.util.OptionalLong.of(notification.getLong(FuseProtocol.OUT_HEADER_SIZE))
                : java.util.OptionalLong.empty();
    }

    private static boolean waitsForNothing(ByteBuffer notification) {
        int code = notification.getInt(4);
        if (code == FuseNotifyCode.POLL.code()) {
            return true;
        }
        return code == FuseNotifyCode.INVAL_INODE.code()
                && notification.remaining() >= INVAL_INODE_OFFSET_AT + 8
                && notification.getLong(INVAL_INODE_OFFSET_AT) < 0;
    }

    private void enqueue(ByteBuffer notification) {
        if (!queue.offer(notification) && !dropReported) {
            dropReported = true;
            log.warn(
                    "the kernel takes no invalidations ({} waiting); dropping, so host changes may show one TTL late",
                    MAX_QUEUED);
        }
    }

    private static ByteBuffer copy(ByteBuffer notification) {
        ByteBuffer copy = ByteBuffer.allocateDirect(notification.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(notification.duplicate()).flip();
        return copy;
    }

    private void run() {
        try {
            while (!closed) {
                ByteBuffer next = queue.poll(1, TimeUnit.SECONDS);
                if (next != null) {
                    kernel.accept(next);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the thread; one blocked in the kernel ends when the mount goes. */
    @Override
    public void close() {
        closed = true;
        writer.interrupt();
    }
}
