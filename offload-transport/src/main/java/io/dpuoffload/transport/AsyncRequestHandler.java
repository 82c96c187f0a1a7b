package io.dpuoffload.transport;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/**
 * Serves one kind of request without a thread of its own: called on the connection's event loop,
 * so it must not block. It answers at once (a completed stage) or hands the work to a thread of
 * its choosing and completes the stage there. Each hand-off between threads costs a wake-up, tens
 * of microseconds on a small machine, so a service whose requests are mostly quick and
 * non-blocking answers them in place and is faster than a {@link RequestHandler}.
 *
 * <p>The request body stays valid until the stage completes, then the transport releases it; the
 * buffer the stage completes with is sent and released by the transport. Complete it
 * exceptionally with {@link ServiceException} to answer with an error code.
 */
@FunctionalInterface
public interface AsyncRequestHandler {
    CompletionStage<ByteBuf> handle(RequestContext context, ByteBuf body) throws Exception;
}
