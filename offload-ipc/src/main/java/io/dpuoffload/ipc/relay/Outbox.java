package io.dpuoffload.ipc.relay;

import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * What one side of a resumable connection sent: its DATA, FDS and END records, numbered from 1,
 * each kept until the peer acknowledges it (or has it by the count a resume brings), and sent
 * again in order after a resume. Bounded by the relay, which stops reading its socket while
 * {@link SocketRelay#MAX_UNSENT} bytes are kept here. Used on the relay's loop only.
 */
final class Outbox {
    /** A record kept, and the future the relay waits on to count its bytes as no longer held. */
    private record Kept(long seq, ByteBuf record, CompletableFuture<Void> released) {}

    private final ArrayDeque<Kept> kept = new ArrayDeque<>();
    private long sent; // the last record's number
    private long endSeq; // our END's number, 0 before it
    private final CompletableFuture<Void> endAcknowledged = new CompletableFuture<>();

    /** Numbers {@code record} and keeps it (ownership passes); the future completes once it is acknowledged. */
    CompletableFuture<Void> keep(ByteBuf record) {
        Kept k = new Kept(++sent, record, new CompletableFuture<>());
        kept.add(k);
        return k.released();
    }

    /** The next record kept is this side's END. */
    void endNext() {
        if (endSeq == 0) {
            endSeq = sent + 1;
        }
    }

    boolean endSent() {
        return endSeq != 0;
    }

    /** Completes once the peer has our END (and so everything before it). */
    CompletableFuture<Void> endAcknowledged() {
        return endAcknowledged;
    }

    long sent() {
        return sent;
    }

    int unacknowledged() {
        return kept.size();
    }

    /** Whether the peer may claim to have {@code count} of our records: what it acknowledged, up to all. */
    boolean possible(long count) {
        long oldest = kept.isEmpty() ? sent + 1 : kept.peek().seq();
        return count >= oldest - 1 && count <= sent;
    }

    /** The peer has {@code count} of our records: let go of them (a smaller count than before changes nothing). */
    void acknowledged(long count) {
        while (!kept.isEmpty() && kept.peek().seq() <= count) {
            Kept done = kept.poll();
            done.record().release();
            done.released().complete(null);
        }
        if (endSeq != 0 && count >= endSeq) {
            endAcknowledged.complete(null);
        }
    }

    /** Sends everything still kept on {@code stream}, in order (after a resume: all the peer lacks). */
    void replayTo(ByteStream stream) {
        for (Kept k : kept) {
            stream.write(k.record().retainedDuplicate());
        }
    }

    /** Nothing will be sent again: let go of everything, telling the relay the bytes are gone. */
    void dropAll() {
        for (Kept k; (k = kept.poll()) != null; ) {
            k.record().release();
            k.released().complete(null);
        }
    }
}
