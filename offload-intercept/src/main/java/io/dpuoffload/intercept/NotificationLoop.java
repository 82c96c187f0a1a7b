package io.dpuoffload.intercept;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Poll;
import io.dpuoffload.linux.Seccomp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the notifications of an intercepted process tree, one platform thread for all, and hands
 * each call to the handler of its kind ({@link Interceptions#dispatch}). A handler that fails lets
 * its call continue in the kernel; calls that wait for a peer are answered later from elsewhere, so
 * a slow answer holds up only its own caller.
 */
final class NotificationLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotificationLoop.class);

    /** How often the loop looks up from poll() to see whether it was closed. */
    private static final int POLL_MILLIS = 200;

    private final int listener;
    private final Interceptions interceptions;
    private final CallsInFlight inFlight;
    private final Thread thread;
    private volatile boolean closed;

    NotificationLoop(int listener, Interceptions interceptions) {
        this.listener = listener;
        this.interceptions = interceptions;
        this.inFlight = new CallsInFlight(listener);
        if (!Seccomp.preferSynchronousWakeUp(listener)) {
            log.debug(
                    "this kernel has no synchronous wake-up for seccomp notifications (6.6+); intercepted calls wait a little longer");
        }
        this.thread =
                Thread.ofPlatform().name("intercept-notifications").daemon().start(this::serve);
    }

    private void serve() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Seccomp.receiveBufferSize(), 8);
            int[] fds = {listener};
            short[] events = {Poll.POLLIN};
            short[] ready = new short[1];
            while (!closed) {
                inFlight.expire();
                if (Poll.poll(fds, events, ready, POLL_MILLIS) == 0) {
                    continue;
                }
                if ((ready[0] & Poll.POLLIN) == 0) {
                    if ((ready[0] & (Poll.POLLHUP | Poll.POLLERR | Poll.POLLNVAL)) != 0) {
                        return; // every intercepted process has exited
                    }
                    continue;
                }
                Seccomp.Notification notification = Seccomp.receive(listener, buffer);
                InterceptedCall call = notification == null ? null : inFlight.admit(notification);
                if (call != null) {
                    handle(call);
                }
            }
        } catch (ErrnoException e) {
            if (!closed) {
                log.error("the interception loop stopped: {}; intercepted calls now fail with ENOSYS", e.getMessage());
            }
        } catch (RuntimeException e) {
            log.error("the interception loop failed; intercepted calls now fail with ENOSYS", e);
        }
    }

    private void handle(InterceptedCall call) {
        try {
            interceptions.dispatch(call);
        } catch (RuntimeException e) {
            log.warn("servicing {} failed; it continues in the kernel", call, e);
            call.proceed(); // a no-op if the handler had answered before it failed
        }
    }

    /** Stops servicing: calls still intercepted afterwards fail with ENOSYS (the kernel's answer). */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(POLL_MILLIS * 5L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        FileCalls.closeQuietly(listener);
    }
}
