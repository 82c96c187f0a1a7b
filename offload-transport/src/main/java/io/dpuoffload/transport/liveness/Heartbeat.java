package io.dpuoffload.transport.liveness;

import io.dpuoffload.transport.frame.Frame.Ping;
import io.dpuoffload.transport.frame.Frame.Pong;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a connection provably alive. After {@code interval} without sending, it sends a PING; the
 * peer answers PONG. After {@code peerTimeout} without receiving any frame, the peer is declared
 * dead: a {@link PeerSilentException} goes down the pipeline and the connection closes, which fails
 * everything in flight at once instead of at each request's deadline.
 */
public final class Heartbeat extends ChannelDuplexHandler {
    private final Duration peerTimeout;
    private volatile long lastRoundTripNanos = -1;

    private Heartbeat(Duration peerTimeout) {
        this.peerTimeout = peerTimeout;
    }

    /** The idle detector and the heartbeat, to be added to the pipeline in this order. */
    public static IdleStateHandler idleDetector(Duration interval, Duration peerTimeout) {
        return new IdleStateHandler(peerTimeout.toNanos(), interval.toNanos(), 0, TimeUnit.NANOSECONDS);
    }

    public static Heartbeat create(Duration peerTimeout) {
        return new Heartbeat(peerTimeout);
    }

    /** The last measured round trip in nanoseconds, or -1 before the first PONG. */
    public long lastRoundTripNanos() {
        return lastRoundTripNanos;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(new Ping(System.nanoTime()));
            } else if (idle.state() == IdleState.READER_IDLE) {
                ctx.fireExceptionCaught(new PeerSilentException("peer sent nothing (not even a heartbeat) for "
                        + peerTimeout.toMillis() + " ms: declared dead"));
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (msg) {
            case Ping ping -> ctx.writeAndFlush(new Pong(ping.payload()));
            case Pong pong -> lastRoundTripNanos = System.nanoTime() - pong.payload();
            default -> ctx.fireChannelRead(msg);
        }
    }
}
