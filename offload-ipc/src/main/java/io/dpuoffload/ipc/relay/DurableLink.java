package io.dpuoffload.ipc.relay;

import io.dpuoffload.ipc.wire.IpcWire;
import io.dpuoffload.ipc.wire.Records;
import io.dpuoffload.ipc.wire.ResumeToken;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.transport.ConnectionLostException;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.TransportException;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A carried connection that survives a lost channel (docs/offload-ipc.md, "Surviving a lost
 * channel"). Its DATA, FDS and END records are numbered; each side acknowledges what it received
 * ({@link IpcWire#ACK} notices) and keeps what it sent until then. When the channel is lost, both
 * sides keep their sockets and hold the connection for {@code resumeWithin}; the side that opened it
 * resumes it on the next connection ({@link IpcWire#RESUME}), the two exchange how much they
 * received, and each sends the rest again. Past the bound, or when the peer does not know the
 * connection any more, it ends: both sockets see end of file, and one line says why.
 *
 * <p>Everything runs on the relay's loop ({@link #loop()}); streams of later connections, which may
 * run on other loops, hand their events over to it in order.
 */
public final class DurableLink implements PeerLink {
    private static final Logger log = LoggerFactory.getLogger(DurableLink.class);

    /** A notice's deadline towards a peer that takes notices as requests (an older build). */
    private static final Duration ACK_NOTICE_TIMEOUT = Duration.ofSeconds(10);

    /** What a link needs from its node: the channel, and the book of resumable connections. */
    public interface Node {
        /** The channel's newest connection, or null. */
        OffloadConnection connection();

        /** The opener's link lost its stream and waits for a connection to resume on. */
        void suspended(DurableLink link);

        /** The link has its stream again. */
        void resumed(DurableLink link);

        /** The connection is over: the token means nothing any more. */
        void forget(DurableLink link);
    }

    private enum Mode {
        /** The opener before the acceptor's STATUS: whether the acceptor resumes is not known yet. */
        PENDING,
        DURABLE,
        /** The acceptor does not resume (an older build, or resuming turned off): one stream, as {@link StreamLink}. */
        PLAIN
    }

    private final ResumeToken token;
    private final boolean opener;
    private final Duration resumeWithin;
    private final String description;
    private final Node node;
    private final IoEventLoop loop;
    private final Object peerIdentity;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

    private Mode mode;
    private Peer peer;
    private ByteStream current;
    private OffloadConnection currentConnection; // the opener's: what current was opened on
    private OffloadConnection lostConnection; // the opener's: where the last stream was lost
    private int generation;
    private RecordFeed feed;
    private boolean resuming; // the opener's current stream is a RESUME waiting for its answer

    private final Outbox outbox = new Outbox();
    private boolean finishRequested;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    private final Acknowledgements acks;
    private boolean peerEnded;

    private long suspendedAt; // System.nanoTime() when the stream was lost; 0 while it is there
    private ScheduledFuture<?> expiry;
    private boolean closed;
    private boolean cancelled;

    private DurableLink(
            ResumeToken token,
            boolean opener,
            Duration resumeWithin,
            String description,
            Node node,
            ByteStream stream,
            OffloadConnection connection,
            Object peerIdentity) {
        this.token = token;
        this.opener = opener;
        this.resumeWithin = resumeWithin;
        this.description = description;
        this.node = node;
        this.loop = (IoEventLoop) stream.eventLoop();
        this.current = stream;
        this.currentConnection = connection;
        this.peerIdentity = peerIdentity;
        this.mode = opener ? Mode.PENDING : Mode.DURABLE;
        this.acks = new Acknowledgements(loop, this::tellReceived);
    }

    /** The link of a connection this side opened on {@code stream} (of {@code connection}) with {@code token} in its header. */
    public static DurableLink opener(
            ResumeToken token,
            Duration resumeWithin,
            String description,
            Node node,
            ByteStream stream,
            OffloadConnection connection) {
        return new DurableLink(token, true, resumeWithin, description, node, stream, connection, null);
    }

    /**
     * The link of a connection the peer ({@code peerIdentity}) opened with {@code token}; this side
     * has connected and sent its resumable STATUS.
     */
    public static DurableLink acceptor(
            ResumeToken token,
            Duration resumeWithin,
            String description,
            Node node,
            ByteStream stream,
            Object peerIdentity) {
        return new DurableLink(token, false, resumeWithin, description, node, stream, null, peerIdentity);
    }

    public ResumeToken token() {
        return token;
    }

    public boolean isOpener() {
        return opener;
    }

    /** Whether {@code identity} is the peer that opened this connection (an acceptor's check on a resume). */
    public boolean openedBy(Object identity) {
        return peerIdentity != null && peerIdentity.equals(identity);
    }

    @Override
    public IoEventLoop loop() {
        return loop;
    }

    @Override
    public void start(Peer value) {
        peer = value;
        attach(current);
    }

    // ---- sending ----

    @Override
    public CompletableFuture<Void> send(ByteBuf record) {
        if (closed) {
            record.release();
            return CompletableFuture.failedFuture(new IllegalStateException(description + ": over"));
        }
        if (mode == Mode.PLAIN) {
            return current != null
                    ? current.write(record)
                    : CompletableFuture.failedFuture(new IllegalStateException(description + ": over"));
        }
        CompletableFuture<Void> released = outbox.keep(record);
        if (current != null && !resuming) {
            current.write(record.retainedDuplicate()); // a failure shows in the stream's receiver
        }
        return released;
    }

    @Override
    public CompletableFuture<Void> finish() {
        switch (mode) {
            case PLAIN -> {
                if (current != null) {
                    current.finish();
                }
                finished.complete(null);
            }
            case PENDING -> finishRequested = true;
            case DURABLE -> sendEnd();
        }
        return finished;
    }

    private void sendEnd() {
        if (!outbox.endSent()) {
            outbox.endNext();
            outbox.endAcknowledged().thenRun(() -> finished.complete(null));
            send(Records.end(alloc));
        }
    }

    /** An acknowledgement notice from the peer. */
    public void peerReceived(long count) {
        if (closed || mode != Mode.DURABLE) {
            return;
        }
        if (count > outbox.sent()) {
            broken("the peer acknowledged " + count + " records of " + outbox.sent() + " sent");
            return;
        }
        outbox.acknowledged(count); // an older, smaller count (a notice that went the long way) changes nothing
    }

    // ---- receiving ----

    /** Receives from {@code stream} from now on; events of earlier streams are dropped from here. */
    private void attach(ByteStream stream) {
        int gen = ++generation;
        current = stream;
        feed = new RecordFeed(alloc);
        stream.receiveOnEventLoop(new ByteStream.Receiver() {
            @Override
            public void onData(ByteBuf data) {
                onLoop(() -> chunk(gen, stream, data), data);
            }

            @Override
            public void onEnd() {
                onLoop(() -> streamEnded(gen), null);
            }

            @Override
            public void onFailure(TransportException cause) {
                onLoop(() -> streamFailed(gen, cause), null);
            }
        });
    }

    private void onLoop(Runnable task, ByteBuf owned) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RuntimeException e) {
            if (owned != null) {
                owned.release(); // the loop is shutting down
            }
        }
    }

    private void chunk(int gen, ByteStream stream, ByteBuf data) {
        if (gen != generation || closed) {
            data.release();
            return;
        }
        String broken = feed.feed(data, record -> record(gen, stream, record));
        if (broken != null) {
            broken(broken);
            return;
        }
        if (gen == generation && !closed && !resuming) {
            peer.afterRecords();
        }
    }

    private void record(int gen, ByteStream stream, Records.Record record) {
        ByteBuf payload = record.payload();
        if (gen != generation || closed) {
            payload.release();
            return;
        }
        int kind = record.kind();
        int size = Records.HEADER_BYTES + payload.readableBytes();
        Runnable consumed = () -> stream.consumed(size);
        if (resuming) {
            consumed.run();
            resumeAnswer(kind, payload);
            return;
        }
        if (kind == Records.STATUS && mode == Mode.PENDING) {
            mode = Records.isResumable(payload) ? Mode.DURABLE : Mode.PLAIN;
            if (mode == Mode.PLAIN) {
                becamePlain();
            } else if (finishRequested) {
                sendEnd();
            }
        } else if (mode == Mode.DURABLE && Records.isNumbered(kind)) {
            acks.arrived(size, kind == Records.END);
            if (kind == Records.END) {
                payload.release();
                consumed.run();
                peerEnded = true;
                peer.onEnd();
                return;
            }
        }
        peer.onRecord(kind, payload, consumed); // the relay judges the rest
    }

    /** The acceptor does not resume: what was kept for a resume is not needed. */
    private void becamePlain() {
        node.forget(this);
        outbox.dropAll();
        if (finishRequested) {
            current.finish();
            finished.complete(null);
        }
    }

    private void streamEnded(int gen) {
        if (gen != generation || closed) {
            return;
        }
        if (mode != Mode.DURABLE) {
            peer.onEnd();
            return;
        }
        // A resumable connection's stream ends only when the peer is done with the connection:
        // it has delivered our END, so it had everything we sent.
        if (peerEnded && outbox.endSent()) {
            outbox.acknowledged(outbox.sent());
            return;
        }
        end("the peer let go of the connection before its end");
    }

    private void streamFailed(int gen, TransportException cause) {
        if (gen != generation || closed) {
            return;
        }
        if (mode == Mode.DURABLE && cause instanceof ConnectionLostException lost) {
            if (lost.peerStopped()) {
                // It said it stops: what it kept of the connection goes with it, and a resume
                // would be refused. Its socket there is closed; ours ends now, as before resuming.
                log.info("{}: ended: the peer stopped ({})", description, cause.getMessage());
                end("the peer stopped");
                return;
            }
            suspend(cause.getMessage());
            return;
        }
        end("the stream ended: " + cause.getMessage());
    }

    /** An acknowledgement notice of {@code count}, on the channel's newest connection. */
    private boolean tellReceived(long count) {
        if (closed || current == null || resuming) {
            return false; // while the stream is away, the resume tells the count
        }
        OffloadConnection connection = node.connection();
        if (connection == null || !connection.isOpen()) {
            return false;
        }
        connection.notice(IpcWire.ACK, IpcWire.ackBody(alloc, token, count), ACK_NOTICE_TIMEOUT);
        return true;
    }

    // ---- losing the channel, and resuming ----

    private void suspend(String reason) {
        detach();
        lostConnection = currentConnection;
        currentConnection = null;
        if (suspendedAt == 0) {
            suspendedAt = System.nanoTime();
            expiry = loop.schedule(this::expire, resumeWithin.toNanos(), TimeUnit.NANOSECONDS);
            log.info(
                    "{}: the channel was lost ({}); holding the connection for up to {} s to resume it "
                            + "({} records unacknowledged, {} received)",
                    description,
                    reason,
                    resumeWithin.toSeconds(),
                    outbox.unacknowledged(),
                    acks.received());
        }
        if (opener) {
            node.suspended(this);
        }
    }

    /** Drops the current stream: its events are ignored from now on. */
    private void detach() {
        generation++;
        current = null;
        resuming = false;
        if (feed != null) {
            feed.close();
        }
    }

    /** The opener: takes the connection up again on {@code connection}, if it still waits for one. */
    public void resumeOn(OffloadConnection connection) {
        if (closed || current != null || suspendedAt == 0 || connection == lostConnection || !connection.isOpen()) {
            return;
        }
        ByteStream stream;
        try {
            stream = connection.openStream(IpcWire.RESUME, IpcWire.resumeHeader(alloc, token, acks.received()));
        } catch (RuntimeException e) {
            log.debug("{}: cannot resume on {} yet: {}", description, connection, e.getMessage());
            return;
        }
        currentConnection = connection;
        attach(stream);
        resuming = true;
        acks.toldInResume(); // the header tells it
    }

    /** The opener: the acceptor's answer to a RESUME. */
    private void resumeAnswer(int kind, ByteBuf payload) {
        try {
            if (kind != Records.STATUS || payload.readableBytes() < 4) {
                broken("the peer answered a resume with a record of kind " + kind);
                return;
            }
            boolean withCount = Records.isResumable(payload);
            int errno = payload.readInt();
            if (errno != 0) {
                log.warn(
                        "{}: ended: the peer does not know the connection any more ({}: it restarted, or "
                                + "held it past its bound); the local socket is closed",
                        description,
                        Errno.name(errno));
                end(null);
                return;
            }
            if (!withCount) {
                broken("the peer answered a resume without its count");
                return;
            }
            resuming = false;
            resumed(payload.readLong());
        } finally {
            payload.release();
        }
    }

    /**
     * The acceptor: the opener resumes the connection on {@code stream}, having received {@code
     * peerCount} of our records. Returns false when the connection is over (the caller refuses).
     */
    public boolean adopt(ByteStream stream, long peerCount) {
        if (closed) {
            return false;
        }
        ByteStream old = current;
        detach();
        if (old != null) {
            old.cancel("the connection was resumed on a new stream"); // its channel is gone or going
        }
        if (suspendedAt == 0) {
            suspendedAt = System.nanoTime(); // the opener saw the loss first
            log.info(
                    "{}: the peer resumes the connection on a new channel connection before this side saw "
                            + "the old one lost; taking it over",
                    description);
        }
        attach(stream);
        stream.write(Records.resumableStatus(alloc, 0, acks.received()));
        acks.toldInResume();
        resumed(peerCount);
        return true;
    }

    /** Both sides: the stream is back and the peer had {@code peerCount} of our records. */
    private void resumed(long peerCount) {
        if (!outbox.possible(peerCount)) {
            broken("the peer resumed having " + peerCount + " of our " + outbox.sent() + " records, "
                    + "fewer than it acknowledged or more than were sent");
            return;
        }
        outbox.acknowledged(peerCount);
        outbox.replayTo(current);
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
        log.info(
                "{}: resumed after {} ms: {} records sent again, {} received before the loss",
                description,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - suspendedAt),
                outbox.unacknowledged(),
                acks.received());
        suspendedAt = 0;
        lostConnection = null;
        node.resumed(this);
    }

    private void expire() {
        if (closed || suspendedAt == 0) {
            return;
        }
        log.warn(
                "{}: ended: the channel did not come back within {} s; the local socket is closed "
                        + "({} records unacknowledged)",
                description,
                resumeWithin.toSeconds(),
                outbox.unacknowledged());
        end(null);
    }

    /** The peer is a new process: it will never resume the connection it opened. */
    public void peerRestarted() {
        if (closed) {
            return;
        }
        log.warn(
                "{}: ended: the peer restarted and lost its side of the connection; the local socket is closed",
                description);
        end("the peer restarted");
    }

    /** The node stops: the connection ends at once, and the peer's too if the channel is there. */
    public void abandon(String reason) {
        if (closed) {
            return;
        }
        cancel(reason);
        end(reason);
    }

    private void broken(String reason) {
        log.info("{}: {}", description, reason);
        cancel(reason);
        end(null);
    }

    /**
     * The link is over: the peer's side is reset (if the stream is there), the token forgotten, and
     * the relay ends (its socket closes, or it first delivers what it has when the peer had ended).
     */
    private void end(String reason) {
        if (closed) {
            return;
        }
        String why = reason == null ? "the connection could not be kept" : reason;
        cancel(why);
        node.forget(this);
        if (peer != null) {
            peer.onFailure(why);
        }
        close(); // the relay's end closes it too; once is enough
    }

    @Override
    public void cancel(String reason) {
        if (cancelled) {
            return;
        }
        cancelled = true;
        if (current != null) {
            current.cancel(reason);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        node.forget(this);
        if (expiry != null) {
            expiry.cancel(false);
        }
        ByteStream stream = current;
        detach();
        if (stream != null && !cancelled) {
            if (mode == Mode.DURABLE) {
                stream.finish(); // the peer takes this as having everything (see streamEnded)
            } else {
                stream.close();
            }
        }
        outbox.dropAll(); // the relay is closed: nobody counts these bytes any more
    }

    @Override
    public String toString() {
        return description + " (" + token + ")";
    }
}
