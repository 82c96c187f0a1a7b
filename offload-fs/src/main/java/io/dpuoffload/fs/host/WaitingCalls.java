package io.dpuoffload.fs.host;

import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.fs.fuse.FuseRequest;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.IoCallable;
import io.dpuoffload.linux.ThreadInterrupts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's side of FUSE_INTERRUPT: the calls that wait for another party (a fifo's open, a read or
 * write of a fifo), so that an INTERRUPT the DPU forwards for one ends its wait with EINTR, as a
 * signal ends a local caller's. A call that completed first keeps its result; the INTERRUPT is
 * then moot. Other calls are never interrupted: they do not wait, and the DPU does not forward
 * INTERRUPTs for them.
 */
final class WaitingCalls {
    private static final Logger log = LoggerFactory.getLogger(WaitingCalls.class);

    /**
     * A signal that lands just before the thread enters its system call is lost (the call then
     * waits as if none had come), so it is sent again this often...
     */
    static final Duration RESEND = Duration.ofMillis(5);

    /** ...for at most this long: a wait that no signal ends (a driver's) is left to finish by itself. */
    static final Duration GIVE_UP = Duration.ofSeconds(1);

    private record Key(int session, long unique) {}

    /** One waiting call: registered on the event loop, run on a pool thread. */
    static final class Waiting {
        private final Key key;
        private volatile boolean interrupted;
        private volatile ThreadInterrupts.Call call;
        private volatile boolean over;

        private Waiting(Key key) {
            this.key = key;
        }
    }

    private final Map<Key, Waiting> waiting = new ConcurrentHashMap<>();

    /** Whether {@code request} may wait for another party: an open of anything but a file or directory, I/O on a fifo. */
    static boolean mayWait(HostSession s, FuseRequest request) {
        try {
            return switch (request.operation()) {
                case FuseOperation.Open o -> {
                    int type = s.inodes.get(request.header().nodeid()).type;
                    yield type != Flags.S_IFREG && type != Flags.S_IFDIR;
                }
                case FuseOperation.Read o -> s.handles.get(o.fh()).blocking();
                case FuseOperation.Write o -> s.handles.get(o.fh()).blocking();
                default -> false;
            };
        } catch (ErrnoException e) {
            return false; // the call itself answers the error
        }
    }

    /**
     * On the event loop, before the call goes to a pool thread: the DPU's INTERRUPT for it comes on the
     * same connection, so after this.
     */
    Waiting register(int session, long unique) {
        Waiting w = new Waiting(new Key(session, unique));
        waiting.put(w.key, w);
        return w;
    }

    /** On the pool thread: {@code work} as a call an INTERRUPT can end; EINTR at once if one came already. */
    ByteBuf run(Waiting w, long unique, IoCallable<ByteBuf> work) throws IOException {
        try (ThreadInterrupts.Call call = ThreadInterrupts.enter()) {
            w.call = call;
            if (w.interrupted) {
                return Unpooled.wrappedBuffer(FuseReplies.error(unique, Errno.EINTR));
            }
            return work.call();
        } finally {
            finish(w);
        }
    }

    /** When the call is over, however it ended (also when it never ran). */
    void finish(Waiting w) {
        w.over = true;
        waiting.remove(w.key, w);
    }

    /**
     * On the event loop: the DPU's INTERRUPT for request {@code unique} of {@code session}. False when
     * no such call waits (it does not wait, or is over): its result stands.
     */
    boolean interrupt(int session, long unique) {
        Waiting w = waiting.get(new Key(session, unique));
        if (w == null) {
            return false;
        }
        w.interrupted = true;
        Thread.ofVirtual().name("fs-interrupt-" + unique).start(() -> signalUntilOver(w));
        return true;
    }

    private static void signalUntilOver(Waiting w) {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        try {
            while (!w.over && System.nanoTime() < deadline) {
                ThreadInterrupts.Call call = w.call;
                if (call != null && !call.interrupt()) {
                    return;
                }
                Thread.sleep(RESEND);
            }
        } catch (ErrnoException e) {
            log.warn("cannot interrupt request {} of session {}: {}", w.key.unique(), w.key.session(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
