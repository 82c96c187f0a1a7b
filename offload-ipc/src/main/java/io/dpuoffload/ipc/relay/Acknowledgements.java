package io.dpuoffload.ipc.relay;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The receiving half of a resumable connection: how many of the peer's numbered records arrived,
 * and when to tell the peer (so that it lets go of them). Used on the relay's loop only.
 */
final class Acknowledgements {
    /**
     * Bytes received before an acknowledgement goes at once: a quarter of what the sender holds
     * before it stops reading its socket ({@link SocketRelay#MAX_UNSENT}), so a steady sender never
     * waits for one.
     */
    static final int ACK_BYTES = SocketRelay.MAX_UNSENT / 4;

    /**
     * How long an acknowledgement of less waits for more to come with it: only the sender's memory
     * waits on it (it holds at most {@link SocketRelay#MAX_UNSENT}), and one small notice per busy
     * connection per this is cheap.
     */
    static final Duration ACK_DELAY = Duration.ofMillis(50);

    /** Tells the peer a count; false when it cannot now (no stream: the resume will tell it). */
    interface Teller {
        boolean tell(long received);
    }

    private final EventLoop loop;
    private final Teller teller;
    private long received;
    private long told;
    private int bytesSinceTold;
    private boolean scheduled;

    Acknowledgements(EventLoop loop, Teller teller) {
        this.loop = loop;
        this.teller = teller;
    }

    /** Numbered records received so far. */
    long received() {
        return received;
    }

    /** One more record of {@code bytes} came; {@code urgent}: tell the peer now (its END). */
    void arrived(int bytes, boolean urgent) {
        received++;
        bytesSinceTold += bytes;
        if (urgent || bytesSinceTold >= ACK_BYTES) {
            tell();
        } else if (!scheduled) {
            scheduled = true;
            loop.schedule(
                    () -> {
                        scheduled = false;
                        tell();
                    },
                    ACK_DELAY.toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** The peer learnt the count otherwise (the resume exchange). */
    void toldInResume() {
        told = received;
        bytesSinceTold = 0;
    }

    private void tell() {
        if (received != told && teller.tell(received)) {
            told = received;
            bytesSinceTold = 0;
        }
    }
}
