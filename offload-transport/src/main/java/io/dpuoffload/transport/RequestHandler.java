package io.dpuoffload.transport;

import io.netty.buffer.ByteBuf;

/**
 * Serves one kind of request. Runs on a virtual thread, so it may block (but not in a native call
 * that waits: see {@link StreamHandler}). The request body is
 * released when the handler returns (retain it to keep it); the returned buffer is sent and
 * released by the transport. Throw {@link ServiceException} to answer with an error code.
 */
@FunctionalInterface
public interface RequestHandler {
    ByteBuf handle(RequestContext context, ByteBuf body) throws Exception;
}
