package io.dpuoffload.fs.host;

import io.dpuoffload.fs.fuse.FuseNotifications;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Poll;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits, for a DPU poller, until a host descriptor (a fifo end) becomes ready, then sends the
 * kernel's NOTIFY_POLL so the DPU's poll/epoll wakes and asks again. One platform thread per
 * waiting poll (poll(2) through FFM pins its thread), capped.
 */
final class PollWaiter {
    private static final Logger log = LoggerFactory.getLogger(PollWaiter.class);

    /** Polls waiting at once per server; beyond it the DPU poller is woken at once (a spurious wake-up is allowed). */
    private static final int MAX_WAITING = 256;

    /** Re-checks this often whether the handle was released meanwhile. */
    private static final int SLICE_MILLIS = 500;

    private final AtomicInteger waiting = new AtomicInteger();

    void watch(HandleTable handles, Handle handle, int events, long kh, Consumer<java.nio.ByteBuffer> notify) {
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            notify.accept(FuseNotifications.poll(kh));
            return;
        }
        Thread.ofPlatform().daemon().name("fs-poll-" + handle.fh()).start(() -> {
            try {
                while (handles.contains(handle.fh())) {
                    if (Poll.poll(handle.fd(), events, SLICE_MILLIS) != 0) {
                        notify.accept(FuseNotifications.poll(kh));
                        return;
                    }
                }
            } catch (ErrnoException e) {
                log.debug("poll of handle {} ended: {}", handle.fh(), e.getMessage());
                notify.accept(FuseNotifications.poll(kh));
            } finally {
                waiting.decrementAndGet();
            }
        });
    }
}
