package io.dpuoffload.e2e.kube;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/** Copies bytes both ways between two connected channels until either side ends, then closes both. */
final class Splice {
    /** One read's worth: HTTP requests and watch events of the tests are far smaller. */
    private static final int BUFFER_BYTES = 64 * 1024;

    private Splice() {}

    static void start(ByteChannel a, ByteChannel b) {
        Thread.ofVirtual().name("splice").start(() -> copy(a, b));
        Thread.ofVirtual().name("splice").start(() -> copy(b, a));
    }

    private static void copy(ByteChannel from, ByteChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException e) {
            // Closed by the other direction or by a cut: either way this connection is over.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    static void closeQuietly(ByteChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing is all that is left to do.
        }
    }
}
