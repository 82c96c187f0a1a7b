package io.dpuoffload.transport.mux;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * When the NOTICE frames of one connection go out. A notice is written without a flush of its own:
 * it goes out with the next frame flushed on the connection (a request, an answer, a PING), after
 * the frames written before it and before those written after it, or at most {@link #BOUND} later
 * when nothing else is sent. In the pipeline, so that it sees every flush: one that carries the
 * notices out takes back their timer, which would otherwise wake an idle event loop for nothing.
 * Event loop only.
 */
final class NoticeFlush extends ChannelOutboundHandlerAdapter {
    /**
     * The longest a notice waits for a flush. A busy connection (a create loop sends a request every
     * 0.1–0.4 ms) has a request to carry it well within this, so a notice costs no write (a system
     * call and a TLS record) of its own; a notice sent alone is late by at most this, far below
     * anything that waits for its effect (the host's release grace and the heartbeat are 1 s).
     */
    static final Duration BOUND = Duration.ofMillis(1);

    private ChannelHandlerContext context;
    private ScheduledFuture<?> pending;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    /** A notice was written: make sure it goes out within the bound. */
    void written() {
        if (pending == null) {
            pending = context.executor().schedule(this::boundReached, BOUND.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void boundReached() {
        pending = null;
        context.channel().flush();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        ctx.flush();
    }
}
