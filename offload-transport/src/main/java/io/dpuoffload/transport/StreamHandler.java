package io.dpuoffload.transport;

import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;

/**
 * Accepts a byte stream the peer opened. Runs on a virtual thread and may block reading and writing
 * the stream. The header is released when the handler returns.
 */
@FunctionalInterface
public interface StreamHandler {
    void accept(RequestContext context, ByteStream stream, ByteBuf header) throws Exception;
}
