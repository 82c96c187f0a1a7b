package io.dpuoffload.fs.host;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The notifications for a session's DPU (invalidations, poll wake-ups) while its connection is
 * lost: held, and sent on the connection that resumes the session. Bounded: past it the oldest go,
 * and the DPU's caches may then be stale until their lifetime ends.
 */
final class HeldNotices {
    private static final int MAX_HELD = 1024;

    private final ArrayDeque<ByteBuffer> held = new ArrayDeque<>();
    private int dropped;

    /** Holds a copy of {@code message}. */
    synchronized void hold(ByteBuffer message) {
        if (held.size() == MAX_HELD) {
            held.removeFirst();
            dropped++;
        }
        ByteBuffer copy = ByteBuffer.allocate(message.remaining()).put(message.duplicate());
        held.addLast(copy.flip());
    }

    /** Everything held, oldest first, leaving none. */
    synchronized List<ByteBuffer> takeAll() {
        List<ByteBuffer> all = List.copyOf(held);
        held.clear();
        return all;
    }

    /** How many were dropped for room since the last call. */
    synchronized int takeDropped() {
        int count = dropped;
        dropped = 0;
        return count;
    }
}
