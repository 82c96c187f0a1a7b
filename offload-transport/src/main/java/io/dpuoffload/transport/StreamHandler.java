package io.dpuoffload.transport;

import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;

/**
 * Accepts a byte stream the peer opened. Runs on a virtual thread and may block reading and writing
 * the stream. The header is released when the handler returns.
 *
 * <p>A native call that waits (for a process, a pipe, a fifo) must not run here as it is: it would
 * pin the thread's carrier, and there are only as many carriers as cores. Run it on a platform
 * thread (offload-linux's {@code BlockingCalls} does that for a virtual caller).
 */
@FunctionalInterface
public interface StreamHandler {
    void accept(RequestContext context, ByteStream stream, ByteBuf header) throws Exception;
}
