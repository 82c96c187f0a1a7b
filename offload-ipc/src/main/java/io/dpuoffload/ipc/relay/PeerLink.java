package io.dpuoffload.ipc.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEventLoop;
import java.util.concurrent.CompletableFuture;

/**
 * What a {@link SocketRelay} sends its records over and receives the peer's from: one stream
 * ({@link StreamLink}), or a connection that outlives lost channels by resuming over new streams
 * ({@link DurableLink}). Everything is called, and calls back, on {@link #loop()}.
 */
public interface PeerLink {
    /** The event loop the relay runs on. */
    IoEventLoop loop();

    /** Starts handing what the peer sends to {@code peer}. */
    void start(Peer peer);

    /**
     * Sends one record (ownership passes). The future completes, on the loop, once the link no
     * longer needs it kept: written (one stream) or acknowledged by the peer (resumable); it fails
     * when the link is over.
     */
    CompletableFuture<Void> send(ByteBuf record);

    /**
     * Ends this side's direction after everything sent. The future completes once the relay may
     * let go as far as this direction is concerned (for a resumable link: the peer has it all).
     */
    CompletableFuture<Void> finish();

    /** Abandons the connection: the peer's socket ends too, at once. */
    void cancel(String reason);

    /** The relay is done with the connection (both directions over) or has ended it. */
    void close();

    /** The relay's side: what the peer sent, in order. */
    interface Peer {
        /** One record; {@code consumed} lets the peer send as much again once it has gone on. */
        void onRecord(int kind, ByteBuf payload, Runnable consumed);

        /** After the records of one arrival: the time to act on them. */
        void afterRecords();

        /** The peer's direction is over. */
        void onEnd();

        /** The connection is over: the peer cancelled it, or it could not be kept. */
        void onFailure(String reason);
    }
}
