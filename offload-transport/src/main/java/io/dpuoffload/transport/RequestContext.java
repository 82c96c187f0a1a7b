package io.dpuoffload.transport;

import io.dpuoffload.transport.tls.PeerIdentity;
import java.time.Duration;

/** What a handler knows about the request it serves: who asked, for which service, until when. */
public interface RequestContext {
    PeerIdentity peer();

    int service();

    int streamId();

    /** Time left before the caller gives up; zero or negative means it already has. */
    Duration remaining();

    /** True once the caller cancelled, the deadline passed, or the connection closed. */
    boolean isCancelled();

    /** Identifies the connection the request came on, for state kept per connection. */
    long connectionId();

    /** Completes (with the reason) when that connection closes: the time to release its state. */
    java.util.concurrent.CompletionStage<String> connectionClosed();

    /**
     * Whether the peer said it stops (GO_AWAY SHUTDOWN) before that connection closed: what is kept
     * for it to come back to can go at once. False for a lost or cut connection.
     */
    boolean peerStopped();

    /**
     * Sends a request back to the peer over the same connection, e.g. a notification the peer asked
     * to be sent later. Fails like any request when the connection is gone.
     */
    java.util.concurrent.CompletableFuture<io.netty.buffer.ByteBuf> requestPeer(
            int service, io.netty.buffer.ByteBuf body, Duration timeout);
}
