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
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.FuseDevice;
import io.dpuoffload.linux.OpenFlagsWire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEventLoop;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DPU side of one mount: reads the kernel's requests from /dev/fuse, answers INIT itself, and
 * forwards everything else to the host as it is; writes the host's replies back. Failures of the
 * channel become errnos (EIO, EINTR) within the operation timeout, so no caller hangs.
 */
final class FuseSession {
    private static final Logger log = LoggerFactory.getLogger(FuseSession.class);

    /** Reads only FORGET needs no reply: the kernel's own rule (see FuseOpcode#expectsReply). */
    private final int deviceFd;

    private final HostLink host;
    private final FsMountOptions options;
    private final FuseInitOptions initOptions;
    private final CallerGroupsCache groups;
    private final Map<Long, CompletableFuture<?>> inFlight = new ConcurrentHashMap<>();
    private DeviceReader reader;
    final LongAdder forwarded = new LongAdder();
    final LongAdder failed = new LongAdder();
    private volatile FuseNegotiated negotiated = FuseNegotiated.BEFORE_INIT;
    private final CompletableFuture<FuseNegotiated> initialized = new CompletableFuture<>();
    private final ProcView procView;
    private final BlockingCalls blocking = new BlockingCalls();
    /** What {@link BlockingCalls#observe} reads of a request: the header and the file handle after it. */
    private static final int OBSERVED_REQUEST_BYTES = FuseProtocol.IN_HEADER_SIZE + 8;

    /**
     * Replies go through a descriptor of our own: FsMount closes {@code deviceFd} at unmount while
     * replies from the host may still arrive, and writing one to a closed descriptor number — which
     * the process may meanwhile have given to another file — would write FUSE reply bytes into that
     * file. This one is closed only in {@link #stop}, under the write lock; later replies are dropped.
     */
    private final int replyFd;

    private final ReentrantReadWriteLock replyLock = new ReentrantReadWriteLock();
    private boolean repliesClosed; // guarded by replyLock

    FuseSession(int deviceFd, HostLink host, FsMountOptions options, FuseInitOptions initOptions, boolean procView)
            throws ErrnoException {
        this.procView = procView ? new ProcView(options.localProc()) : null;
        this.deviceFd = deviceFd;
        this.replyFd = FileCalls.fcntl(deviceFd, Flags.F_DUPFD_CLOEXEC, 0);
        this.host = host;
        this.options = options;
        this.initOptions = initOptions;
        this.groups = new CallerGroupsCache(new CallerGroups(java.nio.file.Path.of("/proc")));
    }

    /** Starts serving on {@code loop}, the one the channel to the host runs on (see {@link DeviceReader}). */
    void start(IoEventLoop loop) throws ErrnoException {
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
            replyLock.writeLock().lock();
            try {
                if (!repliesClosed) {
                    repliesClosed = true;
                    FileCalls.close(replyFd);
                }
            } catch (ErrnoException ignored) {
                // closed either way
            } finally {
                replyLock.writeLock().unlock();
            }
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
            case INTERRUPT -> interrupt(request);
            case DESTROY -> reply(FuseReplies.ok(header.unique()));
            // close(2) sends FLUSH; the host has nothing to do for it (errors surface at write and
            // fsync, and RELEASE closes), so answering here saves every close a round trip.
            case FLUSH -> reply(FuseReplies.ok(header.unique()));
            default -> {
                if (procView == null || !answeredLocally(header, request)) {
                    forward(header, request);
                }
            }
        }
    }

    /** A /proc view answers DPU pids and "self" here (see {@link ProcView}). */
    private boolean answeredLocally(FuseInHeader header, ByteBuffer request) {
        if (ProcView.isLocal(header.nodeid())) {
            if (header.kind() == FuseOpcode.FORGET || header.kind() == FuseOpcode.BATCH_FORGET) {
                return true;
            }
            try {
                reply(procView.local(
                        header, FuseRequestDecoder.decode(request, negotiated).operation()));
            } catch (FuseProtocolException e) {
                reply(FuseReplies.error(header.unique(), Errno.EINVAL));
            }
            return true;
        }
        if (header.kind() != FuseOpcode.LOOKUP || header.nodeid() != FuseProtocol.ROOT_ID) {
            return false;
        }
        try {
            var lookup = (FuseOperation.Lookup)
                    FuseRequestDecoder.decode(request, negotiated).operation();
            var local = procView.lookup(header, lookup);
            local.ifPresent(this::reply);
            return local.isPresent();
        } catch (FuseProtocolException e) {
            return false;
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

    private void interrupt(ByteBuffer request) {
        try {
            var interrupt = (FuseOperation.Interrupt)
                    FuseRequestDecoder.decode(request, negotiated).operation();
            CompletableFuture<?> pending = inFlight.get(interrupt.unique());
            if (pending != null) {
                pending.cancel(true); // the host sees a reset; the caller gets EINTR
            }
        } catch (FuseProtocolException e) {
            log.debug("ignoring a malformed INTERRUPT: {}", e.getMessage());
        }
    }

    private void forward(FuseInHeader header, ByteBuffer request) {
        boolean expectsReply = header.kind().expectsReply();
        if (header.kind() == FuseOpcode.OPEN
                || header.kind() == FuseOpcode.CREATE
                || header.kind() == FuseOpcode.TMPFILE) {
            // An Arm DPU and an x86 host disagree on four open flags: see OpenFlagsWire.
            int at = request.position() + FuseProtocol.IN_HEADER_SIZE;
            if (request.limit() >= at + 4) {
                request.putInt(at, OpenFlagsWire.toWire(request.getInt(at)));
            }
        }
        int[] callerGroups = header.kind() == FuseOpcode.FORGET || header.kind() == FuseOpcode.BATCH_FORGET
                ? new int[0]
                : groups.of(header.pid(), header.uid(), header.gid());
        ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer(16 + callerGroups.length * 4 + request.remaining());
        FuseNegotiated agreed = negotiated;
        FsWire.writeOpPrefix(body, host.session(), agreed.minor(), agreed.flags(), callerGroups);
        body.writeBytes(request.duplicate());
        forwarded.increment();
        Duration timeout = options.opTimeout();
        if (host.connected() && blocking.mayWaitForever(header, request)) {
            // A fifo waits for its other end as long as that takes; a lost link still ends it at once.
            timeout = BlockingCalls.TIMEOUT;
        }
        CompletableFuture<ByteBuf> answer = host.op(body, timeout);
        if (!expectsReply) {
            answer.whenComplete((reply, failure) -> {
                if (reply != null) {
                    reply.release();
                }
            });
            return;
        }
        long unique = header.unique();
        // The request is a view of the reader's buffer, which the next read overwrites before the
        // reply comes: the reply handler gets a copy of the little it looks at.
        ByteBuffer requestStart = copyStart(request, OBSERVED_REQUEST_BYTES);
        inFlight.put(unique, answer);
        answer.whenComplete((reply, failure) -> {
            inFlight.remove(unique);
            if (failure != null) {
                failed.increment();
                reply(FuseReplies.error(unique, ChannelErrors.errnoOf(failure)));
                return;
            }
            try {
                blocking.observe(header, requestStart, reply.nioBuffer().order(ByteOrder.LITTLE_ENDIAN));
                writeHostReply(unique, reply);
            } finally {
                reply.release();
            }
        });
    }

    private static ByteBuffer copyStart(ByteBuffer request, int bytes) {
        ByteBuffer start = request.duplicate();
        start.limit(start.position() + Math.min(bytes, start.remaining()));
        ByteBuffer copy = ByteBuffer.allocate(start.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(start).flip();
        return copy;
    }

    private void writeHostReply(long unique, ByteBuf reply) {
        ByteBuffer message = reply.nioBuffer().order(ByteOrder.LITTLE_ENDIAN);
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

    private void reply(ByteBuffer message) {
        int length = message.remaining();
        replyLock.readLock().lock();
        try (Arena arena = message.isDirect() ? null : Arena.ofConfined()) {
            if (repliesClosed) {
                return; // unmounted: nobody waits for it
            }
            // Replies from the host arrive in direct buffers, written as they are; the few built
            // here on the heap are copied, as a system call needs native memory.
            MemorySegment segment = MemorySegment.ofBuffer(message);
            if (arena != null) {
                segment = arena.allocate(length).copyFrom(segment);
            }
            FuseDevice.write(replyFd, segment, length);
        } catch (ErrnoException e) {
            // ENOENT: the request was interrupted and the kernel no longer waits for it.
            if (e.errno() != Errno.ENOENT && e.errno() != Errno.ENODEV) {
                log.warn("writing a reply to /dev/fuse failed: {}", e.getMessage());
            }
        } finally {
            replyLock.readLock().unlock();
        }
    }
}
