package io.dpuoffload.ipc;

import io.dpuoffload.ipc.relay.DurableLink;
import io.dpuoffload.ipc.wire.IpcWire;
import io.dpuoffload.ipc.wire.Records;
import io.dpuoffload.ipc.wire.ResumeToken;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.RequestContext;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side's resumable carried connections, by token: where the peer's acknowledgements and
 * resumes find their connection, and which of ours wait for the next channel connection to resume.
 */
final class ResumableConnections implements DurableLink.Node {
    private static final Logger log = LoggerFactory.getLogger(ResumableConnections.class);

    private final Supplier<OffloadConnection> connection;
    private final Map<ResumeToken, DurableLink> links = new ConcurrentHashMap<>();
    private final Set<DurableLink> waiting = ConcurrentHashMap.newKeySet();
    /** The connections the peer opened, by the peer instance that opened them. */
    private final Map<DurableLink, ResumeToken> accepted = new ConcurrentHashMap<>();
    /** The peer's instance, as its latest notice said (null before one, or from a peer that sends none). */
    private volatile ResumeToken peerInstance;

    ResumableConnections(Supplier<OffloadConnection> connection) {
        this.connection = connection;
    }

    void add(DurableLink link) {
        links.put(link.token(), link);
        ResumeToken instance = peerInstance;
        if (!link.isOpener() && instance != null) {
            accepted.put(link, instance);
        }
    }

    /**
     * The peer's instance notice, the first message on each connection (so handled before its
     * connects on that connection). A new instance restarted: what the old one opened here ends now,
     * instead of waiting out the bound for a resume that cannot come. (Ours that it accepted are
     * refused when we resume them.)
     */
    CompletableFuture<ByteBuf> peerInstance(RequestContext context, ByteBuf body) {
        ResumeToken now;
        try {
            now = IpcWire.readInstanceBody(body);
        } catch (IllegalArgumentException e) {
            log.debug("a broken instance notice from {}: {}", context.peer(), e.getMessage());
            return CompletableFuture.completedFuture(Unpooled.EMPTY_BUFFER);
        }
        ResumeToken before = peerInstance;
        peerInstance = now;
        if (before != null && !before.equals(now)) {
            log.info("peer {} restarted (instance {} after {})", context.peer(), now, before);
            accepted.forEach((link, instance) -> {
                if (instance.equals(before)) {
                    link.loop().execute(link::peerRestarted);
                }
            });
        }
        return CompletableFuture.completedFuture(Unpooled.EMPTY_BUFFER);
    }

    int size() {
        return links.size();
    }

    @Override
    public OffloadConnection connection() {
        return connection.get();
    }

    @Override
    public void suspended(DurableLink link) {
        waiting.add(link);
        OffloadConnection now = connection.get();
        if (now != null && now.isOpen()) {
            link.loop().execute(() -> link.resumeOn(now)); // the link skips the connection it lost
        }
    }

    @Override
    public void resumed(DurableLink link) {
        waiting.remove(link);
    }

    @Override
    public void forget(DurableLink link) {
        links.remove(link.token(), link);
        waiting.remove(link);
        accepted.remove(link);
    }

    /** A new channel connection: our connections that lost theirs resume on it. */
    void connected(OffloadConnection value) {
        for (DurableLink link : waiting) {
            link.loop().execute(() -> link.resumeOn(value));
        }
    }

    /** The peer resumes a connection it opened (a stream of {@link IpcWire#RESUME}). */
    void resumeHere(RequestContext context, ByteStream stream, ByteBuf header) {
        IpcWire.Resume resume;
        try {
            resume = IpcWire.readResumeHeader(header);
        } catch (IllegalArgumentException e) {
            stream.cancel(e.getMessage());
            return;
        }
        DurableLink link = links.get(resume.token());
        if (link == null || link.isOpener() || !link.openedBy(context.peer())) {
            log.info(
                    "peer {} resumes connection {}, which this side does not know (any more); refused",
                    context.peer(),
                    resume.token());
            refuse(stream);
            return;
        }
        link.loop().execute(() -> {
            if (!link.adopt(stream, resume.received())) {
                refuse(stream);
            }
        });
    }

    private static void refuse(ByteStream stream) {
        stream.write(Records.status(ByteBufAllocator.DEFAULT, Errno.ESTALE));
        stream.finish();
    }

    /** An acknowledgement notice from the peer. */
    CompletableFuture<ByteBuf> acknowledged(RequestContext context, ByteBuf body) {
        try {
            IpcWire.Resume ack = IpcWire.readAckBody(body);
            DurableLink link = links.get(ack.token());
            if (link != null && (link.isOpener() || link.openedBy(context.peer()))) {
                link.loop().execute(() -> link.peerReceived(ack.received()));
            }
        } catch (IllegalArgumentException e) {
            log.debug("a broken acknowledgement from {}: {}", context.peer(), e.getMessage());
        }
        return CompletableFuture.completedFuture(Unpooled.EMPTY_BUFFER);
    }

    /** This side stops: every resumable connection ends now, instead of waiting for a channel. */
    void endAll(String reason) {
        for (DurableLink link : links.values()) {
            link.loop().execute(() -> link.abandon(reason));
        }
    }
}
