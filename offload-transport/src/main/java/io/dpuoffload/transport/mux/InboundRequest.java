package io.dpuoffload.transport.mux;

import io.dpuoffload.transport.RequestContext;
import io.dpuoffload.transport.tls.PeerIdentity;
import java.time.Duration;

/** A request (or stream) the peer started, as its handler sees it. */
final class InboundRequest implements RequestContext {
    private final int streamId;
    private final int service;
    private final long deadlineNanos;
    private final PeerIdentity peer;
    private final Multiplexer connection;
    private volatile boolean cancelled;

    InboundRequest(int streamId, int service, long deadlineNanos, PeerIdentity peer, Multiplexer connection) {
        this.streamId = streamId;
        this.service = service;
        this.deadlineNanos = deadlineNanos;
        this.peer = peer;
        this.connection = connection;
    }

    @Override
    public long connectionId() {
        return connection.connectionId();
    }

    @Override
    public java.util.concurrent.CompletableFuture<io.netty.buffer.ByteBuf> requestPeer(
            int service, io.netty.buffer.ByteBuf body, Duration timeout) {
        return connection.request(service, body, timeout);
    }

    @Override
    public java.util.concurrent.CompletionStage<String> connectionClosed() {
        return connection.closeFuture().minimalCompletionStage();
    }

    @Override
    public boolean peerStopped() {
        return connection.peerStopped();
    }

    @Override
    public PeerIdentity peer() {
        return peer;
    }

    @Override
    public int service() {
        return service;
    }

    @Override
    public int streamId() {
        return streamId;
    }

    @Override
    public Duration remaining() {
        return Duration.ofNanos(deadlineNanos - System.nanoTime());
    }

    @Override
    public boolean isCancelled() {
        return cancelled || System.nanoTime() - deadlineNanos > 0;
    }

    void cancel() {
        cancelled = true;
    }
}
