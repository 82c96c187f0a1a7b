package io.dpuoffload.transport.mux;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/** A request this side sent and is waiting on. */
record OutboundRequest(
        int streamId, int service, long startNanos, CompletableFuture<ByteBuf> result, ScheduledFuture<?> deadline) {}
