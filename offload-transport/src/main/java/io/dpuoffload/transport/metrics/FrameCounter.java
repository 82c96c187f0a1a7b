package io.dpuoffload.transport.metrics;

import io.dpuoffload.transport.frame.Frame;
import io.dpuoffload.transport.frame.FrameFormat;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/** Counts frames and their bytes (header included) in each direction. Sits just above the codec. */
public final class FrameCounter extends ChannelDuplexHandler {
    private final TransportMetrics metrics;

    public FrameCounter(TransportMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            metrics.frameIn(FrameFormat.HEADER_BYTES + FrameSizes.bodyBytes(frame));
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Frame frame) {
            metrics.frameOut(FrameFormat.HEADER_BYTES + FrameSizes.bodyBytes(frame));
        }
        ctx.write(msg, promise);
    }
}
