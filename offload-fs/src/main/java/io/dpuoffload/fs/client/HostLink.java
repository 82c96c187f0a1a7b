package io.dpuoffload.fs.client;

import io.dpuoffload.fs.wire.ExportPolicy;
import io.dpuoffload.fs.wire.FsWire;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.OffloadConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mount's link to its export on the host: attaches on every (re)connection, so a host restart
 * costs the mount a fresh session, not its life.
 */
final class HostLink {
    private static final Logger log = LoggerFactory.getLogger(HostLink.class);

    private final String export;
    private final Duration timeout;
    private volatile OffloadClient client;
    private volatile ExportPolicy policy;
    /** Runs when a new session replaced the one before (see FuseSession#reattached). */
    private volatile Runnable onReattached = () -> {};

    HostLink(String export, Duration timeout) {
        this.export = export;
        this.timeout = timeout;
    }

    /** Called by the client on each new connection, before requests flow on it. */
    void onConnected(OffloadConnection connection) {
        if (policy == null) {
            return; // the first connection: attach() does it, and waits for it
        }
        connection
                .request(FsWire.ATTACH, FsWire.attachRequest(ByteBufAllocator.DEFAULT, export), timeout)
                .whenComplete((reply, failure) -> {
                    if (failure != null) {
                        log.error("attaching export {} failed: {}", export, failure.getMessage());
                        return;
                    }
                    try {
                        ExportPolicy fresh = FsWire.attachPolicy(reply);
                        if (policy != null && policy.session() != fresh.session()) {
                            log.warn(
                                    "export {} re-attached as session {}: files opened before are stale",
                                    export,
                                    fresh.session());
                        }
                        policy = fresh;
                        onReattached.run();
                    } finally {
                        reply.release();
                    }
                });
    }

    void use(OffloadClient client) {
        this.client = client;
    }

    /** The first attach, waited for: a mount needs the export's policy before it exists. */
    ExportPolicy attach() {
        OffloadConnection connection = client.connection(timeout);
        ByteBuf reply = connection
                .request(FsWire.ATTACH, FsWire.attachRequest(ByteBufAllocator.DEFAULT, export), timeout)
                .join();
        try {
            policy = FsWire.attachPolicy(reply);
            return policy;
        } finally {
            reply.release();
        }
    }

    int session() {
        ExportPolicy current = policy;
        return current == null ? 0 : current.session();
    }

    ExportPolicy policy() {
        return policy;
    }

    /** Whether the host of the current session offers {@code feature} (see ExportPolicy#features). */
    boolean offers(int feature) {
        ExportPolicy current = policy;
        return current != null && current.offers(feature);
    }

    void onReattached(Runnable action) {
        this.onReattached = action;
    }

    CompletableFuture<ByteBuf> op(ByteBuf body, Duration opTimeout) {
        return client.request(FsWire.OP, body, opTimeout);
    }

    /** Sends an operation the host runs without answering (see HostNotices). */
    CompletableFuture<Void> notice(ByteBuf body, Duration opTimeout) {
        return client.notice(FsWire.OP, body, opTimeout);
    }

    boolean connected() {
        return client != null && client.isConnected();
    }
}
