package io.dpuoffload.fs.host;

import io.dpuoffload.fs.fuse.FuseNotifications;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Waits, for a DPU poller, until a shared fifo's end becomes ready, then sends the kernel's
 * NOTIFY_POLL so the DPU's poll/epoll wakes and asks again. One platform thread per waiting poll
 * (poll(2) through FFM pins its thread), capped, and at most one per fifo end and events; the
 * handle's release ends it at once (see {@link FifoEnd#await}).
 */
final class PollWaiter {
    /** Polls waiting at once per server; beyond it the DPU poller is woken at once (a spurious wake-up is allowed). */
    private static final int MAX_WAITING = 256;

    private final AtomicInteger waiting = new AtomicInteger();

    void watch(Handle handle, int events, long kh, Consumer<ByteBuffer> notify) {
        FifoEnd fifo = handle.fifo();
        if (fifo == null || !fifo.startWatching(events)) {
            return; // not a fifo (always ready), released, or already watched for these events
        }
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            fifo.stopWatching(events);
            notify.accept(FuseNotifications.poll(kh));
            return;
        }
        Thread.ofPlatform().daemon().name("fs-poll-" + handle.fh()).start(() -> {
            try {
                boolean ready = fifo.await(events);
                fifo.stopWatching(events);
                if (ready) {
                    notify.accept(FuseNotifications.poll(kh));
                }
            } finally {
                waiting.decrementAndGet();
            }
        });
    }
}
