package io.dpuoffload.fs.client;

import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseInitNegotiation;
import io.dpuoffload.fs.fuse.FuseInitOptions;
import io.dpuoffload.fs.fuse.FuseNegotiated;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseOutHeader;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseProtocolException;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.fs.fuse.FuseRequestDecoder;
import io.dpuoffload.fs.wire.FsWire;
import io.dpuoffload.fs.wire.PostOpAttrs;
import io.dpuoffload.fs.wire.Resumption;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.OpenFlagsWire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEventLoop;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DPU side of one mount: reads the kernel's requests from /dev/fuse, answers INIT itself, and
 * forwards everything else to the host as it is; writes the host's replies back. Failures of the
 * channel become errnos (EIO) within the operation timeout, so no caller hangs. An INTERRUPT ends
 * only a call that may wait for another party (see {@link #interrupt}); every other call completes
 * and answers what the host did.
 */
final class FuseSession {
    private static final Logger log = LoggerFactory.getLogger(FuseSession.class);

    /** Reads only FORGET needs no reply: the kernel's own rule (see FuseOpcode#expectsReply). */
    private final int deviceFd;

    private final HostLink host;
    private final FsMountOptions options;
    private final FuseInitOptions initOptions;
    private final CallerGroupsCache groups;
    /** Requests sent to the host and not yet answered; whoever removes one writes its reply. */
    private final Map<Long, Pending> inFlight = new ConcurrentHashMap<>();

    private IoEventLoop loop;
    private DeviceReader reader;
    /** Requests sent to the host, each answered by it. */
    final LongAdder forwarded = new LongAdder();
    /** Requests sent to the host as notices (see {@link HostNotices}): run there, answered by nobody. */
    final LongAdder noticed = new LongAdder();

    final LongAdder failed = new LongAdder();
    private volatile FuseNegotiated negotiated = FuseNegotiated.BEFORE_INIT;
    private final CompletableFuture<FuseNegotiated> initialized = new CompletableFuture<>();
    private final ProcView procView;
    private final UnboundedWaits blocking = new UnboundedWaits();
    /** Null where the DPU's kernel caches nothing and does not check permissions itself. */
    private final KeptAnswers kept;
    /** What {@link UnboundedWaits#observe} reads of a request: the header and the file handle after it. */
    private static final int OBSERVED_REQUEST_BYTES = FuseProtocol.IN_HEADER_SIZE + 8;

    /** Replies and notifications to the kernel (see {@link DeviceWriter} for why a descriptor of its own). */
    private final DeviceWriter device;

    FuseSession(
            int deviceFd,
            HostLink host,
            FsMountOptions options,
            FuseInitOptions initOptions,
            boolean procView,
            KeptAnswers kept)
            throws ErrnoException {
        this.procView = procView ? new ProcView(options.localProc(), options.programOfStandIn()) : null;
        this.kept = kept;
        this.deviceFd = deviceFd;
        this.device = new DeviceWriter(deviceFd);
        this.host = host;
        this.options = options;
        this.initOptions = initOptions;
        this.groups = new CallerGroupsCache(new CallerGroups(java.nio.file.Path.of("/proc")));
    }

    /** Starts serving on {@code loop}, the one the channel to the host runs on (see {@link DeviceReader}). */
    void start(IoEventLoop loop) throws ErrnoException {
        this.loop = loop;
        reader = DeviceReader.start(deviceFd, loop, FuseProtocol.readBufferSize(initOptions.maxWrite()), this::handle);
    }

    CompletableFuture<FuseNegotiated> initialized() {
        return initialized;
    }

    int inFlight() {
        return inFlight.size();
    }

    /** Called after the mount is gone: reading stops; replies still on their way are dropped. */
    void stop() {
        try {
            if (reader != null) {
                reader.stop();
                reader.stopped().get(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("the /dev/fuse reader did not stop in time: {}", e.toString());
        } finally {
            device.close();
        }
    }

    /** Runs {@code action} (on a thread of its own) when reading has stopped: the mount is gone. */
    void whenStopped(Runnable action) {
        reader.stopped().thenRun(() -> Thread.ofVirtual().start(action));
    }

    private void handle(ByteBuffer request) {
        FuseInHeader header;
        try {
            header = FuseInHeader.read(request);
        } catch (FuseProtocolException e) {
            log.error("unreadable request from the kernel: {}", e.getMessage());
            return;
        }
        switch (header.kind()) {
            case INIT -> init(header, request);
            case INTERRUPT -> interrupt(header, request);
            case DESTROY -> reply(FuseReplies.ok(header.unique()));
            // close(2) sends FLUSH; the host has nothing to do for it (errors surface at write and
            // fsync, and RELEASE closes), so answering here saves every close a round trip.
            case FLUSH -> reply(FuseReplies.ok(header.unique()));
            default -> {
                if (procView != null && procView.answered(header, request, negotiated, this::reply, this::forward)) {
                    return;
                }
                if (kept != null) {
                    var answer = kept.answer(header, request, negotiated);
                    if (answer.isPresent()) {
                        reply(answer.get());
                        return;
                    }
                }
                forward(header, request);
            }
        }
    }

    private void init(FuseInHeader header, ByteBuffer request) {
        try {
            var init = (FuseOperation.Init)
                    FuseRequestDecoder.decode(request, negotiated).operation();
            FuseInitNegotiation outcome = FuseInitNegotiation.negotiate(init, initOptions);
            if (outcome instanceof FuseInitNegotiation.Accepted accepted) {
                negotiated = accepted.negotiated();
                initialized.complete(negotiated);
            } else if (outcome instanceof FuseInitNegotiation.Refused refused) {
                initialized.completeExceptionally(new IllegalStateException(refused.reason()));
            }
            reply(outcome.reply(header.unique()));
        } catch (FuseProtocolException e) {
            reply(FuseReplies.error(header.unique(), Errno.EINVAL));
        }
    }

    /**
     * The kernel sends INTERRUPT when a signal reaches a caller waiting for a reply. Only a call that
     * may wait for another party (an open, which may be a fifo's, and a read or write of a fifo) may
     * end early: the INTERRUPT goes to the host, whose thread then leaves its wait and answers EINTR,
     * or the result if the call completed meanwhile. Any other call completes and answers what the
     * host did — ending it here would tell the caller "not done" about a file the host may already have
     * created, renamed or removed. The kernel reads a request before its INTERRUPT and this session
     * reads one request at a time, so an INTERRUPT for a request not in flight is for one already
     * answered, and is dropped. Never answered ENOSYS, which would end interrupts for the whole mount.
     */
    private void interrupt(FuseInHeader header, ByteBuffer request) {
        long target;
        try {
            target = ((FuseOperation.Interrupt)
                            FuseRequestDecoder.decode(request, negotiated).operation())
                    .unique();
        } catch (FuseProtocolException e) {
            log.debug("ignoring a malformed INTERRUPT: {}", e.getMessage());
            return;
        }
        Pending pending = inFlight.get(target);
        if (pending == null || !pending.mayEndEarly()) {
            return;
        }
        send(header, request).whenComplete((answer, failure) -> {
            boolean waits = answer == null || FsWire.interruptedCallWaits(answer);
            drop(answer, failure);
            if (waits) {
                // A wait the host cannot end (a driver's, or an older host's) still lets the caller go.
                loop.schedule(
                        () -> endLocally(target, pending), Interrupts.HOST_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private void endLocally(long unique, Pending pending) {
        if (inFlight.remove(unique, pending)) {
            failed.increment();
            reply(FuseReplies.error(unique, Errno.EINTR));
        }
    }

    private void forward(FuseInHeader header, ByteBuffer request) {
        if (header.kind() == FuseOpcode.OPEN
                || header.kind() == FuseOpcode.CREATE
                || header.kind() == FuseOpcode.TMPFILE) {
            // An Arm DPU and an x86 host disagree on four open flags: see OpenFlagsWire.
            int at = request.position() + FuseProtocol.IN_HEADER_SIZE;
            if (request.limit() >= at + 4) {
                request.putInt(at, OpenFlagsWire.toWire(request.getInt(at)));
            }
        }
        // A fifo waits for its other end as long as that takes; a lost link still ends it at once.
        boolean mayWait = host.connected() && blocking.mayWaitForever(header, request);
        int features = kept == null ? 0 : kept.sending(header, host.offers(PostOpAttrs.FEATURE));
        switch (HostNotices.route(header, request, blocking)) {
            case NOTICE -> {
                notice(header, request);
                return;
            }
            case ANSWER_HERE_THEN_NOTICE -> {
                // What a reply to it would tell KeptAnswers and UnboundedWaits is nothing (see
                // HostNotices), so neither hears of it after sending().
                notice(header, request);
                reply(FuseReplies.ok(header.unique()));
                return;
            }
            case REQUEST -> {
                if (!header.kind().expectsReply()) {
                    send(header, request).whenComplete(FuseSession::drop);
                    return;
                }
            }
        }
        long unique = header.unique();
        // The request is a view of the reader's buffer, which the next read overwrites before the
        // reply comes: the reply handler gets a copy of the little it looks at.
        ByteBuffer requestStart = copyStart(request, OBSERVED_REQUEST_BYTES);
        CompletableFuture<ByteBuf> answer =
                send(header, request, mayWait ? UnboundedWaits.TIMEOUT : options.opTimeout(), features);
        Pending pending = new Pending(mayWait);
        inFlight.put(unique, pending);
        answer.whenComplete((reply, failure) -> {
            if (!inFlight.remove(unique, pending)) {
                // Answered EINTR after an INTERRUPT the host did not act on in time.
                if (kept != null) {
                    kept.unanswered(header);
                }
                undoLate(header, reply);
                drop(reply, failure);
                return;
            }
            if (failure != null) {
                failed.increment();
                if (kept != null) {
                    kept.unanswered(header);
                }
                reply(FuseReplies.error(unique, ChannelErrors.errnoOf(failure)));
                return;
            }
            try {
                ByteBuffer hostReply = reply.nioBuffer().order(ByteOrder.LITTLE_ENDIAN);
                if (kept != null) {
                    hostReply = kept.answered(header, hostReply, features);
                }
                blocking.observe(header, requestStart, hostReply);
                writeHostReply(unique, hostReply);
            } catch (FuseProtocolException e) {
                log.error("the host sent a malformed reply to {} ({}); answering EIO", header.kind(), e.getMessage());
                reply(FuseReplies.error(unique, Errno.EIO));
            } finally {
                reply.release();
            }
        });
    }

    /** Sends {@code request} to the host as it is, behind the operation prefix (session, caller's groups). */
    private CompletableFuture<ByteBuf> send(FuseInHeader header, ByteBuffer request) {
        return send(header, request, options.opTimeout(), 0);
    }

    /** The same, asking for {@code features} of the reply (see {@link FsWire#writeOpPrefix}). */
    private CompletableFuture<ByteBuf> send(FuseInHeader header, ByteBuffer request, Duration timeout, int features) {
        int[] callerGroups = callerGroups(header);
        ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer(20 + callerGroups.length * 4 + request.remaining());
        FuseNegotiated agreed = negotiated;
        // A host that resumes sessions gets the features field always, so a retry can be marked in it.
        int asked = features | (host.offers(Resumption.FEATURE) ? Resumption.FEATURE : 0);
        FsWire.writeOpPrefix(body, host.session(), agreed.minor(), agreed.flags(), callerGroups, asked);
        body.writeBytes(request.duplicate());
        forwarded.increment();
        return host.op(body, timeout);
    }

    /** The caller's supplementary groups, which the host takes on to run the request; none where it has no caller. */
    private int[] callerGroups(FuseInHeader header) {
        return header.kind() == FuseOpcode.FORGET
                        || header.kind() == FuseOpcode.BATCH_FORGET
                        || header.kind() == FuseOpcode.INTERRUPT
                ? new int[0]
                : groups.of(header.pid(), header.uid(), header.gid());
    }

    /**
     * Sends {@code request} to the host as a notice: it runs there in order with the requests around
     * it, and nothing comes back. One on the wire when the connection is lost is lost with it (not
     * sent again: nothing tells whether it arrived); the host keeps the node or handle it would have
     * given back until the session ends.
     */
    private void notice(FuseInHeader header, ByteBuffer request) {
        int[] callerGroups = callerGroups(header);
        ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer(20 + callerGroups.length * 4 + request.remaining());
        FuseNegotiated agreed = negotiated;
        FsWire.writeOpPrefix(body, host.session(), agreed.minor(), agreed.flags(), callerGroups, 0);
        body.writeBytes(request.duplicate());
        noticed.increment();
        host.notice(body, options.opTimeout()).whenComplete((sent, failure) -> {
            if (failure != null) {
                log.debug("{} {} did not reach the host: {}", header.kind(), header.unique(), failure.getMessage());
            }
        });
    }

    /**
     * A reply that came after the caller was told EINTR: an open the host completed all the same
     * leaves a host handle nobody will use or release, so release it now.
     */
    private void undoLate(FuseInHeader header, ByteBuf reply) {
        if (reply == null) {
            return;
        }
        ByteBuffer late = reply.nioBuffer().order(ByteOrder.LITTLE_ENDIAN);
        Interrupts.releaseOfLateOpen(header, late).ifPresent(release -> {
            log.debug("releasing handle of open {} answered EINTR before the host", header.unique());
            send(header, release).whenComplete(FuseSession::drop);
        });
        boolean succeeded = late.remaining() >= FuseProtocol.OUT_HEADER_SIZE && late.getInt(late.position() + 4) == 0;
        if (succeeded && header.kind() != FuseOpcode.OPEN) {
            log.warn(
                    "{} {} completed on the host after its caller was told EINTR; its result is lost",
                    header.kind(),
                    header.unique());
        }
    }

    private static void drop(ByteBuf reply, Throwable failure) {
        if (reply != null) {
            reply.release();
        }
    }

    /** One request in flight; compared by identity, so a late reply never takes another's place. */
    private static final class Pending {
        private final boolean mayEndEarly;

        Pending(boolean mayEndEarly) {
            this.mayEndEarly = mayEndEarly;
        }

        /** An INTERRUPT may end it: it may be waiting for another party (see {@link #interrupt}). */
        boolean mayEndEarly() {
            return mayEndEarly;
        }
    }

    private static ByteBuffer copyStart(ByteBuffer request, int bytes) {
        ByteBuffer start = request.duplicate();
        start.limit(start.position() + Math.min(bytes, start.remaining()));
        ByteBuffer copy = ByteBuffer.allocate(start.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(start).flip();
        return copy;
    }

    private void writeHostReply(long unique, ByteBuffer message) {
        try {
            FuseOutHeader out = FuseOutHeader.read(message);
            if (out.unique() != unique) {
                throw new FuseProtocolException("reply for " + out.unique() + " to request " + unique);
            }
        } catch (FuseProtocolException e) {
            log.error("the host sent a malformed reply ({}); answering EIO", e.getMessage());
            reply(FuseReplies.error(unique, Errno.EIO));
            return;
        }
        reply(message);
    }

    /** Writes a notification the host sent (e.g. NOTIFY_POLL) to the kernel. */
    void notifyKernel(ByteBuffer message) {
        reply(message);
    }

    /** The host told the kernel that a host program changed {@code node}: nothing kept of it is current. */
    void hostChanged(long node) {
        if (kept != null) {
            kept.hostChanged(node);
        }
    }

    /** The mount was attached to the host again (a new session): nothing kept of the old one holds. */
    void reattached() {
        if (kept != null) {
            kept.reattached();
        }
    }

    private void reply(ByteBuffer message) {
        device.write(message);
    }
}
