package io.dpuoffload.ipc.relay;

import io.dpuoffload.ipc.wire.PassedFds;
import io.dpuoffload.ipc.wire.Records;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.UnixSockets;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One carried connection: a local Unix socket and the link to the peer (a stream, or a resumable
 * connection over successive streams: {@link PeerLink}), relayed on the link's event loop. The
 * socket is one more descriptor in that loop's epoll set and the stream delivers on the loop too,
 * so a message crosses with no hand-off between threads, as through socat.
 *
 * <p>Memory is bounded both ways: reading the socket stops while {@link #MAX_UNSENT} bytes are
 * still held for the peer (on their way, or, on a resumable connection, not yet acknowledged; so
 * also while the channel is down), and data from the peer is acknowledged (given back as stream
 * window) only once the local socket took it. A slow reader on either side stops the writer on the
 * other.
 *
 * <p>The same relay carries pipe and fifo ends passed with a message (one way only, see {@link
 * LocalEnd}), and the descriptors passed over its socket ({@link FdPassing}): they travel in an FDS
 * record just before the DATA record of the bytes they came with, and are passed on with those bytes.
 */
public final class SocketRelay implements EpollIoHandle {
    private static final Logger log = LoggerFactory.getLogger(SocketRelay.class);

    /** Bytes read from the socket and still held for the peer (see above), before reading pauses. */
    static final int MAX_UNSENT = 256 * 1024;

    /** One read from a stream socket; a seqpacket message may be as large as the socket's buffer. */
    private static final int STREAM_READ = io.dpuoffload.transport.frame.FrameFormat.MAX_DATA_CHUNK_BYTES
            - Records.HEADER_BYTES; // one record, one frame

    private static final int SEQPACKET_READ = 256 * 1024;

    /**
     * What the relay asks of epoll when it wants neither input nor output. Not {@code NONE}: Netty
     * (4.2) takes the descriptor out of the epoll set on {@code NONE} but still treats it as added,
     * so the next request fails and the relay would never wake again. With only edge-triggering
     * asked for, epoll reports just a hang-up or error, once.
     */
    private static final EpollIoOps PAUSED = EpollIoOps.EPOLLET;

    /** Reads per wake-up before the loop turns to other connections. */
    private static final int READS_PER_EVENT = 16;

    private final int fd;
    private final Options options;
    private final PeerLink link;
    private final IoEventLoop loop;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final ArrayDeque<Outgoing> toSocket = new ArrayDeque<>();
    private final UnixSockets.ReceivedFds receivedFds = new UnixSockets.ReceivedFds();

    private IoRegistration registration;
    private boolean awaitingStatus;
    private int unsent;
    private boolean socketEnded; // the local peer finished writing (recv gave 0)
    private boolean streamEnded; // the remote peer finished writing
    private boolean shutWrite;
    private boolean finishSettled; // the link has let go of this side's direction (see PeerLink.finish)
    private boolean closed;
    private EpollIoOps ops = PAUSED;
    private String broken; // a protocol error found while decoding
    private int refusedWith; // the peer's connect errno
    private int[] fdsForNextData; // what the peer passed with the DATA record to come

    /** A message for the socket, what lets the peer send more once it is sent, and descriptors to pass with it. */
    private static final class Outgoing {
        final ByteBuf data;
        final Runnable consumed;
        int[] fds;

        Outgoing(ByteBuf data, Runnable consumed, int[] fds) {
            this.data = data;
            this.consumed = consumed;
            this.fds = fds;
        }
    }

    /**
     * How to relay: the socket type, what the local descriptor is, whether the peer's first record is
     * its connect's status, and what to do with passed descriptors.
     */
    public record Options(
            int type,
            LocalEnd end,
            boolean awaitingStatus,
            String description,
            Runnable onClosed,
            IntConsumer onStatus,
            FdPassing fds) {

        /** A carried connection. */
        public static Options connection(
                int type, boolean awaitingStatus, String description, Runnable onClosed, FdPassing fds) {
            return new Options(type, LocalEnd.SOCKET, awaitingStatus, description, onClosed, status -> {}, fds);
        }

        public Options onStatus(IntConsumer value) {
            return new Options(type, end, awaitingStatus, description, onClosed, value, fds);
        }
    }

    private SocketRelay(int fd, PeerLink link, Options options) {
        this.fd = fd;
        this.options = options;
        this.link = link;
        this.loop = link.loop();
        this.awaitingStatus = options.awaitingStatus();
    }

    /** Relays {@code fd} over {@code stream} alone: see {@link #start(int, PeerLink, Options)}. */
    public static void start(int fd, ByteStream stream, Options options) {
        start(fd, new StreamLink(stream), options);
    }

    /**
     * Relays {@code fd} (non-blocking; the relay owns it) and {@code link}. With {@code
     * awaitingStatus}, the peer's first record says whether its connect worked: on an errno the
     * local socket is closed, which its client sees as end of file.
     */
    public static void start(int fd, PeerLink link, Options options) {
        SocketRelay relay = new SocketRelay(fd, link, options);
        relay.loop.register(relay).addListener(registered -> {
            if (!registered.isSuccess()) {
                log.warn(
                        "{}: cannot watch the socket: {}",
                        options.description(),
                        registered.cause().toString());
                link.cancel("cannot relay: " + registered.cause());
                link.close();
                FileCalls.closeQuietly(fd);
                options.onStatus().accept(Errno.EIO);
                options.onClosed().run();
                return;
            }
            relay.registration = (IoRegistration) registered.getNow();
            if (options.end() == LocalEnd.PIPE_SINK) {
                // Nothing to read from a write end: this direction is over. Before delivery starts,
                // which may bring the peer's data and its end at once and so finish the relay.
                relay.socketEnded = true;
                relay.finishDirection();
            }
            relay.link.start(relay.new FromPeer());
            relay.watch();
        });
    }

    @Override
    public FileDescriptor fd() {
        return new FileDescriptor(fd);
    }

    @Override
    public void handle(IoRegistration ignored, IoEvent event) {
        EpollIoOps ready = ((EpollIoEvent) event).ops();
        boolean trouble = ready.contains(EpollIoOps.EPOLLERR) || (ready.value() & EPOLLHUP) != 0;
        if (options.end() == LocalEnd.PIPE_SINK && trouble) {
            fail("the pipe's reader went away");
            return;
        }
        if (ready.contains(EpollIoOps.EPOLLOUT)) {
            flushToSocket();
        }
        if (!closed && (ready.contains(EpollIoOps.EPOLLIN) || trouble)) {
            readSocket();
        }
        if (!closed) {
            watch();
        }
    }

    private static final int EPOLLHUP = 0x10;

    private void readSocket() {
        boolean seqpacket = options.type() == UnixSockets.SOCK_SEQPACKET;
        int size = seqpacket ? SEQPACKET_READ : STREAM_READ;
        for (int i = 0; i < READS_PER_EVENT && !socketEnded && unsent < MAX_UNSENT && !closed; i++) {
            ByteBuf buffer = alloc.directBuffer(size);
            long n;
            try {
                MemorySegment target = MemorySegment.ofBuffer(buffer.nioBuffer(0, size));
                n = options.end() == LocalEnd.PIPE_SOURCE
                        ? FileCalls.readSome(fd, target, size)
                        : UnixSockets.recvWithFds(
                                fd,
                                target,
                                size,
                                UnixSockets.MSG_DONTWAIT | (seqpacket ? UnixSockets.MSG_TRUNC : 0),
                                receivedFds);
            } catch (RuntimeException e) {
                buffer.release();
                throw e;
            }
            if (receivedFds.count > 0 || receivedFds.truncated) {
                passOn(receivedFds.take(), receivedFds.truncated);
            }
            if (n == -Errno.EAGAIN) {
                buffer.release();
                return;
            }
            if (n < 0) {
                buffer.release();
                fail("reading the local socket failed: " + Errno.name((int) -n));
                return;
            }
            if (n > size) {
                buffer.release();
                fail("a " + n + "-byte message is larger than the " + size + " bytes relayed per message");
                return;
            }
            if (n == 0) {
                buffer.release();
                socketEnded = true;
                finishDirection();
                closeIfDone();
                return;
            }
            buffer.writerIndex((int) n);
            int length = (int) n;
            unsent += length;
            link.send(Records.data(alloc, buffer)).whenComplete((done, failure) -> {
                unsent -= length;
                if (failure == null && !closed) {
                    watch();
                }
            });
        }
    }

    /** Descriptors that came with the bytes just read: an FDS record goes ahead of their DATA record. */
    private void passOn(int[] fds, boolean truncated) {
        if (truncated) {
            log.warn(
                    "{}: a message carried more than {} descriptors; the rest were lost in the kernel",
                    options.description(),
                    UnixSockets.MAX_FDS);
        }
        if (fds.length == 0) {
            return;
        }
        List<PassedFds.PassedFd> passed = options.fds().outgoing(fds, options.description());
        if (passed != null) {
            link.send(PassedFds.record(alloc, passed));
        }
    }

    /** This side's direction is over: the link tells the peer, and says when it has let go of it. */
    private void finishDirection() {
        link.finish().whenComplete((done, failure) -> {
            finishSettled = true;
            closeIfDone();
        });
    }

    /** What the peer sent, on the loop. */
    private final class FromPeer implements PeerLink.Peer {
        @Override
        public void onRecord(int kind, ByteBuf payload, Runnable consumed) {
            accept(kind, payload, consumed);
        }

        @Override
        public void afterRecords() {
            if (closed) {
                return;
            }
            if (broken != null) {
                fail(broken);
                return;
            }
            if (refusedWith != 0) {
                log.info("{}: the peer's connect failed with {}", options.description(), Errno.name(refusedWith));
                end();
                return;
            }
            flushToSocket();
            if (!closed) {
                watch();
            }
        }

        @Override
        public void onEnd() {
            if (closed) {
                return;
            }
            streamEnded = true;
            flushToSocket();
            closeIfDone();
        }

        @Override
        public void onFailure(String reason) {
            if (closed) {
                return;
            }
            log.debug("{}: {}", options.description(), reason);
            if (streamEnded && !awaitingStatus) {
                // The peer's direction was over already: what it sent is here, so it still goes to
                // the socket; only what the socket would send from now on has nowhere to go.
                socketEnded = true;
                finishSettled = true;
                flushToSocket();
                closeIfDone();
                if (!closed) {
                    watch();
                }
                return;
            }
            end();
        }
    }

    /** One record from the peer, inside the decoder: problems are noted and acted on after it returns. */
    private void accept(int kind, ByteBuf payload, Runnable consumed) {
        if (closed || broken != null || refusedWith != 0) {
            payload.release();
            return;
        }
        if (kind == Records.STATUS) {
            refusedWith = payload.readableBytes() >= 4 ? payload.readInt() : Errno.EPROTO;
            payload.release();
            consumed.run();
            awaitingStatus = false;
            options.onStatus().accept(refusedWith);
            return;
        }
        if (awaitingStatus || (kind != Records.DATA && kind != Records.FDS)) {
            payload.release();
            broken = awaitingStatus ? "data before the peer's connect status" : "unknown record kind " + kind;
            return;
        }
        if (kind == Records.FDS) {
            List<PassedFds.PassedFd> passed;
            try {
                passed = PassedFds.read(payload);
            } catch (IllegalArgumentException e) {
                broken = e.getMessage();
                return;
            } finally {
                payload.release();
                consumed.run();
            }
            closeAll(fdsForNextData);
            fdsForNextData =
                    options.end() == LocalEnd.SOCKET ? options.fds().incoming(passed, options.description()) : null;
            return;
        }
        toSocket.add(new Outgoing(payload, consumed, fdsForNextData));
        fdsForNextData = null;
    }

    private void flushToSocket() {
        while (!closed && !toSocket.isEmpty()) {
            Outgoing head = toSocket.peek();
            ByteBuf data = head.data;
            int length = data.readableBytes();
            long n;
            if (length == 0) {
                n = 0;
            } else {
                ByteBuf direct = data.isDirect() && data.nioBufferCount() == 1 ? data : copyDirect(data);
                try {
                    MemorySegment source = MemorySegment.ofBuffer(direct.nioBuffer());
                    if (options.end() == LocalEnd.PIPE_SINK) {
                        n = FileCalls.writeSome(fd, source, length);
                    } else if (head.fds != null) {
                        n = UnixSockets.sendWithFds(fd, source, length, head.fds);
                    } else {
                        n = UnixSockets.send(fd, source, length);
                    }
                } finally {
                    if (direct != data) {
                        direct.release();
                    }
                }
            }
            if (n == -Errno.EAGAIN) {
                return; // EPOLLOUT brings us back
            }
            if (n < 0) {
                fail("writing the local socket failed: " + Errno.name((int) -n));
                return;
            }
            if (head.fds != null) {
                closeAll(head.fds); // the receiver has its own copies now
                head.fds = null;
            }
            data.skipBytes((int) n);
            if (data.isReadable()) {
                continue; // a stream socket took part of it
            }
            toSocket.poll();
            data.release();
            head.consumed.run();
        }
        if (!closed && toSocket.isEmpty() && streamEnded && !shutWrite) {
            shutWrite = true;
            if (options.end() == LocalEnd.SOCKET) {
                try {
                    UnixSockets.shutdown(fd, UnixSockets.SHUT_WR);
                } catch (io.dpuoffload.linux.ErrnoException e) {
                    log.debug("{}: shutdown: {}", options.description(), e.getMessage());
                }
            }
            closeIfDone(); // a pipe's write end is closed by ending: its reader sees end of file
        }
    }

    private ByteBuf copyDirect(ByteBuf data) {
        ByteBuf copy = alloc.directBuffer(data.readableBytes());
        copy.writeBytes(data, data.readerIndex(), data.readableBytes());
        return copy;
    }

    /** Asks epoll for what the relay can use now: input while there is room to send it on, output while blocked. */
    private void watch() {
        if (closed || registration == null) {
            return;
        }
        EpollIoOps wanted = EpollIoOps.NONE;
        if (!socketEnded && unsent < MAX_UNSENT) {
            wanted = wanted.with(EpollIoOps.EPOLLIN);
        }
        if (!toSocket.isEmpty()) {
            wanted = wanted.with(EpollIoOps.EPOLLOUT);
        }
        if (wanted.equals(EpollIoOps.NONE)) {
            wanted = PAUSED;
        }
        if (!wanted.equals(ops)) {
            ops = wanted;
            registration.submit(wanted);
        }
    }

    private void closeIfDone() {
        if (!closed && socketEnded && shutWrite && finishSettled) {
            end();
        }
    }

    private void fail(String reason) {
        log.info("{}: {}", options.description(), reason);
        link.cancel(reason);
        end();
    }

    private void end() {
        if (closed) {
            return;
        }
        closed = true;
        if (awaitingStatus) {
            awaitingStatus = false;
            options.onStatus().accept(Errno.ECONNRESET); // the stream ended before the peer answered
        }
        if (registration != null) {
            registration.cancel();
        }
        FileCalls.closeQuietly(fd);
        for (Outgoing outgoing; (outgoing = toSocket.poll()) != null; ) {
            outgoing.data.release();
            closeAll(outgoing.fds);
        }
        closeAll(fdsForNextData);
        fdsForNextData = null;
        link.close();
        options.onClosed().run();
    }

    /** The loop lets go of the socket; {@link #close} is what closes it. */
    @Override
    public void close() throws Exception {}

    private static void closeAll(int[] fds) {
        if (fds != null) {
            for (int fd : fds) {
                FileCalls.closeQuietly(fd);
            }
        }
    }
}
