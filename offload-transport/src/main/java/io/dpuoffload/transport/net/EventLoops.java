package io.dpuoffload.transport.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The process's epoll event loops, shared by every server and client in it: one loop per core is
 * all the channel needs, and sharing them keeps a node agent with several clients from multiplying
 * threads.
 */
public final class EventLoops {

    private static final class Holder {
        static final EventLoopGroup SHARED = new MultiThreadIoEventLoopGroup(
                Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("offload-transport", true),
                EpollIoHandler.newFactory());
    }

    public static EventLoopGroup shared() {
        return Holder.SHARED;
    }

    private EventLoops() {}
}
