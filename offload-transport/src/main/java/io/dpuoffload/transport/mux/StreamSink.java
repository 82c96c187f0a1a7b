package io.dpuoffload.transport.mux;

import io.dpuoffload.transport.frame.Frame;
import io.dpuoffload.transport.frame.ResetCode;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;

/** What a {@link ByteStream} needs from its connection. All methods run on the connection's loop. */
interface StreamSink {
    EventLoop eventLoop();

    /** Writes a frame without flushing. */
    ChannelFuture send(Frame frame);

    void flush();

    void reset(int streamId, ResetCode code, String reason);

    /** The stream is finished in both directions or was reset: forget it. */
    void streamDone(int streamId);

    /** Describes the peer in messages ("host-1 at 198.51.100.1:7000"). */
    String peerDescription();
}
