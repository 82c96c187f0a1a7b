package io.dpuoffload.fs.client;

import io.dpuoffload.fs.wire.ExportPolicy;
import io.dpuoffload.fs.wire.FsWire;
import io.dpuoffload.fs.wire.Resumption;
import io.dpuoffload.transport.ConnectionLostException;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.OffloadConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mount's link to its export on the host. On every new connection it takes its session back
 * (RESUME, where the host offers {@link Resumption}) or attaches anew; requests wait for that, and a
 * request whose connection was lost before its answer came is sent again, marked retried, once the
 * session is back — so a cut link costs the mount's callers a pause, not their open files. A host
 * that restarted, or kept the session less long than the link was down, costs a fresh session.
 */
final class HostLink {
    private static final Logger log = LoggerFactory.getLogger(HostLink.class);

    /** How long a retried request waits for its session back: the host keeps it a minute (FsServer). */
    static final Duration RESUME_WAIT = Duration.ofSeconds(70);

    private final String export;
    private final Duration timeout;
    private volatile OffloadClient client;
    private volatile ExportPolicy policy;
    /** The session on the current connection, or the one being taken back on the next. */
    private volatile Attachment current = new Attachment();
    /** Runs when a new session replaced the one before (see FuseSession#reattached). */
    private volatile Runnable onReattached = () -> {};

    /** One connection's hold on the session: ready once attached, lost when the connection closes. */
    private static final class Attachment {
        final CompletableFuture<ExportPolicy> ready = new CompletableFuture<>();
        final CompletableFuture<Attachment> lost = new CompletableFuture<>();
        /** The attachment after this one, once its connection closed (guarded by the link). */
        Attachment successor;
    }

    HostLink(String export, Duration timeout) {
        this.export = export;
        this.timeout = timeout;
    }

    /** Called by the client on each new connection, before requests flow on it. */
    void onConnected(OffloadConnection connection) {
        Attachment attachment = current;
        if (attachment.ready.isDone()) {
            attachment = replace(attachment); // a close not seen yet: this connection is another
        }
        Attachment mine = attachment;
        connection.closeFuture().whenComplete((reason, failure) -> replace(mine));
        ExportPolicy before = policy;
        if (before == null) {
            return; // the first connection: attach() does it, and waits for it
        }
        CompletableFuture<ByteBuf> reply;
        if (before.offers(Resumption.FEATURE)) {
            reply = connection
                    .request(
                            Resumption.RESUME,
                            Resumption.resumeRequest(ByteBufAllocator.DEFAULT, before.session(), export),
                            timeout)
                    .exceptionallyCompose(failure -> {
                        log.warn(
                                "export {}: the host cannot resume session {} ({}); attaching anew",
                                export,
                                before.session(),
                                causeOf(failure).getMessage());
                        return connection.request(FsWire.ATTACH, attachRequest(), timeout);
                    });
        } else {
            reply = connection.request(FsWire.ATTACH, attachRequest(), timeout);
        }
        reply.whenComplete((answer, failure) -> {
            if (failure != null) {
                log.error(
                        "attaching export {} failed: {}",
                        export,
                        causeOf(failure).getMessage());
                return; // requests waiting for it fail at their deadline; the next connection tries again
            }
            try {
                ExportPolicy fresh = FsWire.attachPolicy(answer);
                policy = fresh;
                if (fresh.session() != before.session()) {
                    log.warn(
                            "export {} re-attached as session {}: files opened before are stale",
                            export,
                            fresh.session());
                    onReattached.run();
                } else {
                    log.info("export {} resumed session {}", export, fresh.session());
                }
                mine.ready.complete(fresh);
            } finally {
                answer.release();
            }
        });
    }

    void use(OffloadClient client) {
        this.client = client;
    }

    /** The first attach, waited for: a mount needs the export's policy before it exists. */
    ExportPolicy attach() {
        OffloadConnection connection = client.connection(timeout);
        ByteBuf reply =
                connection.request(FsWire.ATTACH, attachRequest(), timeout).join();
        try {
            policy = FsWire.attachPolicy(reply);
            current.ready.complete(policy);
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

    /**
     * Sends one operation once the session is attached; if its connection is lost before the answer,
     * sends it again, marked retried, once the session is back (a body without the features field
     * cannot be marked, and fails as before).
     */
    CompletableFuture<ByteBuf> op(ByteBuf body, Duration opTimeout) {
        long deadline = System.nanoTime() + opTimeout.toNanos();
        Attachment attachment = current;
        if (attachment.ready.isDone() && !attachment.ready.isCompletedExceptionally()) {
            return send(attachment, body, deadline);
        }
        return whenAttached(attachment, opTimeout)
                .handle((attached, failure) -> {
                    if (failure != null) {
                        body.release();
                        return CompletableFuture.<ByteBuf>failedFuture(failure);
                    }
                    return send(attached, body, deadline);
                })
                .thenCompose(sent -> sent);
    }

    /** Sends an operation the host runs without answering (see HostNotices), once the session is attached. */
    CompletableFuture<Void> notice(ByteBuf body, Duration opTimeout) {
        Attachment attachment = current;
        if (attachment.ready.isDone()) {
            return client.notice(FsWire.OP, body, opTimeout);
        }
        return whenAttached(attachment, opTimeout)
                .whenComplete((ready, failure) -> {
                    if (failure != null) {
                        body.release();
                    }
                })
                .thenCompose(ready -> client.notice(FsWire.OP, body, opTimeout));
    }

    boolean connected() {
        return client != null && client.isConnected();
    }

    /** Sends {@code body} (ours: handed on or released) on the session of {@code attachment}. */
    private CompletableFuture<ByteBuf> send(Attachment attachment, ByteBuf body, long deadline) {
        ExportPolicy session = attachment.ready.join();
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        if (!session.offers(Resumption.FEATURE)) {
            return client.request(FsWire.OP, body, left);
        }
        // A duplicate goes, ours stays for sending again: the transport releases what it sends.
        return client.request(FsWire.OP, body.retainedDuplicate(), left)
                .handle((answer, failure) -> answered(attachment, session.session(), body, deadline, answer, failure))
                .thenCompose(answered -> answered);
    }

    /** After a send: the answer; or, the connection lost, the same request marked retried once the session is back. */
    private CompletableFuture<ByteBuf> answered(
            Attachment attachment, int session, ByteBuf body, long deadline, ByteBuf answer, Throwable failure) {
        if (failure == null) {
            body.release();
            return CompletableFuture.completedFuture(answer);
        }
        // A host that said it stops took the session with it: no use waiting for it back.
        if (!(causeOf(failure) instanceof ConnectionLostException lost)
                || lost.peerStopped()
                || !FsWire.markRetried(body)) {
            body.release();
            return CompletableFuture.failedFuture(failure);
        }
        long left = deadline - System.nanoTime();
        Duration wait = Duration.ofNanos(Math.max(0, Math.min(left, RESUME_WAIT.toNanos())));
        return attachment
                .lost
                .thenCompose(next -> whenAttached(next, wait))
                .handle((next, notBack) -> {
                    if (notBack != null) {
                        body.release();
                        return CompletableFuture.<ByteBuf>failedFuture(notBack);
                    }
                    if (next.ready.join().session() != session) {
                        body.release();
                        return CompletableFuture.<ByteBuf>failedFuture(
                                new ConnectionLostException("export " + export + ": the host's session " + session
                                        + " ended with the connection; its files are stale"));
                    }
                    return send(next, body, deadline);
                })
                .thenCompose(sent -> sent);
    }

    /**
     * {@code attachment}, or the one after it if its connection is lost first, once attached; fails
     * after {@code wait}.
     */
    private CompletableFuture<Attachment> whenAttached(Attachment attachment, Duration wait) {
        if (attachment.ready.isDone() && !attachment.ready.isCompletedExceptionally()) {
            return CompletableFuture.completedFuture(attachment);
        }
        CompletableFuture<Attachment> attached = attachment.ready.thenApply(ready -> attachment);
        CompletableFuture<Attachment> followed = attachment.lost.thenCompose(next -> whenAttached(next, wait));
        return attached.applyToEither(followed, a -> a)
                .orTimeout(wait.toNanos(), TimeUnit.NANOSECONDS)
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(
                        causeOf(failure) instanceof TimeoutException
                                ? new ConnectionLostException("export " + export + ": no session with the host within "
                                        + wait.toSeconds() + " s")
                                : causeOf(failure)));
    }

    /** The connection of {@code lost} closed: the next one takes the session back. */
    private Attachment replace(Attachment lost) {
        Attachment next;
        synchronized (this) {
            if (lost.successor != null) {
                return lost.successor;
            }
            next = new Attachment();
            lost.successor = next;
            current = next;
        }
        // Outside the lock: what waits on it (retries, sends) runs now, on this thread.
        lost.lost.complete(next);
        return next;
    }

    private ByteBuf attachRequest() {
        return FsWire.attachRequest(ByteBufAllocator.DEFAULT, export);
    }

    private static Throwable causeOf(Throwable failure) {
        return failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    }
}
