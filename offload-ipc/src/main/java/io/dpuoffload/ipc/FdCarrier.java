package io.dpuoffload.ipc;

import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.ipc.relay.FdPassing;
import io.dpuoffload.ipc.relay.LocalEnd;
import io.dpuoffload.ipc.relay.SocketRelay;
import io.dpuoffload.ipc.wire.IpcWire;
import io.dpuoffload.ipc.wire.PassedFds;
import io.dpuoffload.ipc.wire.PassedFds.PassedFd;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.OpenFlagsWire;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.Stat;
import io.dpuoffload.linux.UnixSockets;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries descriptors passed over carried connections (SCM_RIGHTS), both ways. A regular file is
 * opened again on the other side by path (translated through the shared directories, judged by the
 * receiver's allowlist), with its flags and offset. A pipe or fifo end and a connected socket get a
 * stream of their own: the sender relays the descriptor it received, the receiver makes a new pipe
 * or socket pair, relays one end and passes the other on. Anything else (a device, an eventfd...)
 * cannot be carried: the message then goes on without descriptors and a warning names each one. A
 * listening socket is carried as a listener on the other side whose
 * connections come from ours (see {@link PassedListeners}); a TAP interface's descriptor (a VM's NIC)
 * as an interface made again on the other side (see {@link PassedTaps}).
 */
public final class FdCarrier implements FdPassing {
    private static final Logger log = LoggerFactory.getLogger(FdCarrier.class);
    private static final Logger audit = LoggerFactory.getLogger("dpuoffload.audit");

    /**
     * How long a passed pipe or socket waits for its relay stream, or a stream for the message that
     * names it. Both leave the sender together, on one connection, so they meet within moments; one
     * that is still alone this much later lost its partner with a lost channel (a resumed
     * connection sends the message again, but the relay stream is gone), and is let go: the
     * program's end sees end of file instead of waiting for ever.
     */
    static final java.time.Duration RENDEZVOUS_WAIT = java.time.Duration.ofSeconds(30);

    /** Open flags that made sense only when the sender opened the file. */
    private static final int CREATION_FLAGS = Flags.O_CREAT | Flags.O_EXCL | Flags.O_TRUNC | Flags.O_NOCTTY;

    private final Supplier<OffloadConnection> connection;
    private final PeerPaths shared;
    private final IpcAllowlist allowlist;
    private final Runnable relayOpened;
    private final Runnable relayClosed;
    private final AtomicLong tokens = new AtomicLong(new SecureRandom().nextLong());
    /** Per token: the stream that arrived first, or the local end waiting for it. */
    private final Map<Long, Object> rendezvous = new ConcurrentHashMap<>();

    private record Waiting(int fd, int type, LocalEnd end, String description) {}

    private final int service;
    private final PassedListeners listeners;
    /** Sending side: where a listener bound at a name (as its binder wrote it) is on the peer. */
    private volatile java.util.function.Function<String, java.util.Optional<String>> listenerPeerPaths =
            name -> java.util.Optional.empty();
    /** Receiving side: the bridges a passed TAP interface may join here (none unless allowed). */
    private volatile java.util.Set<String> allowedBridges = java.util.Set.of();

    /**
     * @param service the stream service the relays' streams use (the peer registers it and hands
     *     each stream to {@link #arrived})
     * @param shared the directories both sides see, to translate a passed file's path
     * @param allowlist judges the paths of files passed to us
     */
    public FdCarrier(
            int service,
            Supplier<OffloadConnection> connection,
            PeerPaths shared,
            IpcAllowlist allowlist,
            Runnable relayOpened,
            Runnable relayClosed) {
        this.service = service;
        this.listeners = new PassedListeners(service, connection, relayOpened, relayClosed, this);
        this.connection = connection;
        this.shared = shared;
        this.allowlist = allowlist;
        this.relayOpened = relayOpened;
        this.relayClosed = relayClosed;
    }

    /**
     * Passes each listener bound at a name that {@code peerPathOf} maps with that path on the peer,
     * which binds its own socket there (see {@link PassedFds.Listener}).
     */
    public FdCarrier bindListenersOnPeer(java.util.function.Function<String, java.util.Optional<String>> peerPathOf) {
        this.listenerPeerPaths = peerPathOf;
        return this;
    }

    /** Lets passed TAP interfaces join {@code bridges} here (see {@link PassedTaps}). */
    public FdCarrier allowBridges(java.util.Set<String> bridges) {
        this.allowedBridges = java.util.Set.copyOf(bridges);
        return this;
    }

    // ---- sending: descriptors our local peer passed ----

    /** One descriptor described: what goes on the wire, and the descriptor to relay (if any, maybe a fresh one). */
    private record Outgoing(int original, int fd, PassedFd wire, LocalEnd relay, int type) {}

    @Override
    public List<PassedFd> outgoing(int[] fds, String description) {
        List<Outgoing> described = new ArrayList<>(fds.length);
        List<String> refused = new ArrayList<>();
        for (int fd : fds) {
            try {
                Outgoing out = describe(fd);
                if (out == null) {
                    refused.add(what(fd));
                } else {
                    described.add(out);
                }
            } catch (IOException e) {
                refused.add(what(fd) + " (" + e.getMessage() + ")");
            }
        }
        OffloadConnection live = connection.get();
        if (!refused.isEmpty() || live == null || !live.isOpen()) {
            log.warn(
                    "{}: a message passed {} descriptor(s); delivering it without them, because these cannot be carried: {}",
                    description,
                    fds.length,
                    refused.isEmpty() ? List.of("(no connection to the peer)") : refused);
            for (Outgoing out : described) {
                if (out.fd() >= 0 && out.fd() != out.original()) {
                    FileCalls.closeQuietly(out.fd());
                }
            }
            for (int fd : fds) {
                FileCalls.closeQuietly(fd);
            }
            return null;
        }
        List<PassedFd> wire = new ArrayList<>(described.size());
        for (Outgoing out : described) {
            wire.add(out.wire());
            if (out.fd() != out.original()) {
                FileCalls.closeQuietly(out.original()); // a file re-opened there, or a pipe we opened afresh
            }
            switch (out.wire()) {
                case PassedFds.File ignored -> {}
                case PassedFds.Tap ignored -> {}
                case PassedFds.Device ignored -> {}
                case PassedFds.Pipe pipe -> relay(live, out, pipe.token(), description);
                case PassedFds.Socket socket -> relay(live, out, socket.token(), description);
                case PassedFds.Listener listener ->
                    listeners.startAccepting(
                            out.fd(), listener.type(), listener.token(), description + " passed listener");
            }
        }
        return wire;
    }

    /**
     * Whether {@code fd} is a regular file outside every shared directory: a file of this side's own
     * (a pid file under the offload root's /run, say), which the peer could never open, since its
     * path there names nothing or another file. Only a carrier that knows the shared directories can
     * tell; with none, any path may be the peer's as well, and the peer's allowlist decides.
     */
    public boolean isOwnFile(int fd) {
        if (shared.isEmpty()) {
            return false;
        }
        try {
            if (!Metadata.fstat(fd).isRegularFile()) {
                return false;
            }
        } catch (ErrnoException e) {
            return false;
        }
        String path = what(fd);
        return path.startsWith("/")
                && !path.endsWith(" (deleted)")
                && shared.peerPathOf(Path.of(path)).isEmpty();
    }

    /** What {@code fd} becomes on the wire, or null when it cannot be carried. */
    private Outgoing describe(int fd) throws IOException {
        Stat stat = Metadata.fstat(fd);
        if (io.dpuoffload.linux.Tun.isCloneDevice(stat)) {
            return new Outgoing(fd, -1, PassedTaps.describe(fd), null, 0); // made there, nothing relayed
        }
        PassedFds.Device device = PassedDevices.describe(fd, stat);
        if (device != null) {
            return new Outgoing(fd, -1, device, null, 0); // opened again there
        }
        if (stat.isRegularFile()) {
            String path = what(fd);
            if (path.endsWith(" (deleted)") || !path.startsWith("/")) {
                return null;
            }
            int flags = FileCalls.fcntl(fd, Flags.F_GETFL, 0);
            long offset = FileCalls.lseek(fd, 0, Flags.SEEK_CUR);
            String peerPath = shared.peerPathOf(Path.of(path)).orElse(path);
            return new Outgoing(fd, -1, new PassedFds.File(peerPath, OpenFlagsWire.toWire(flags), offset), null, 0);
        }
        if (stat.isFifo()) {
            int access = FileCalls.fcntl(fd, Flags.F_GETFL, 0) & Flags.O_ACCMODE;
            if (access == Flags.O_RDWR) {
                return null; // both ends in one: no direction to relay
            }
            boolean readEnd = access == Flags.O_RDONLY;
            // Our own open of the same pipe, non-blocking, rather than changing the flags of the
            // file the passing process may still share.
            int own = FileCalls.openat(
                    Flags.AT_FDCWD, "/proc/self/fd/" + fd, access | Flags.O_NONBLOCK | Flags.O_CLOEXEC, 0);
            return new Outgoing(
                    fd,
                    own,
                    new PassedFds.Pipe(readEnd, relayToken()),
                    readEnd ? LocalEnd.PIPE_SOURCE : LocalEnd.PIPE_SINK,
                    0);
        }
        if (stat.type() == Flags.S_IFSOCK) {
            int type = UnixSockets.type(fd);
            if (type != UnixSockets.SOCK_STREAM && type != UnixSockets.SOCK_SEQPACKET) {
                return null;
            }
            if (UnixSockets.isListening(fd)) {
                boolean nonBlocking = (FileCalls.fcntl(fd, Flags.F_GETFL, 0) & Flags.O_NONBLOCK) != 0;
                String peerPath =
                        UnixSockets.boundPath(fd).flatMap(listenerPeerPaths).orElse("");
                return new Outgoing(
                        fd, fd, new PassedFds.Listener(type, nonBlocking, listenerToken(), peerPath), null, type);
            }
            return new Outgoing(fd, fd, new PassedFds.Socket(type, relayToken()), LocalEnd.SOCKET, type);
        }
        return null;
    }

    private long relayToken() {
        return tokens.incrementAndGet() & ~PassedListeners.LISTENER_TOKEN;
    }

    private long listenerToken() {
        return tokens.incrementAndGet() | PassedListeners.LISTENER_TOKEN;
    }

    private void relay(OffloadConnection live, Outgoing out, long token, String description) {
        ByteStream stream = live.openStream(service, IpcWire.passedFdHeader(ByteBufAllocator.DEFAULT, token));
        start(out.fd(), out.type(), out.relay(), stream, description + " passed " + out.relay());
    }

    private static String what(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return "descriptor " + fd;
        }
    }

    // ---- receiving: what the peer passed, made here ----

    @Override
    public int[] incoming(List<PassedFd> fds, String description) {
        int[] local = new int[fds.size()];
        int made = 0;
        try {
            for (PassedFd fd : fds) {
                local[made] = make(fd, description);
                made++;
            }
            return local;
        } catch (IOException e) {
            log.warn(
                    "{}: the peer passed {} descriptor(s); delivering the message without them: {}",
                    description,
                    fds.size(),
                    e.getMessage());
            for (int i = 0; i < made; i++) {
                FileCalls.closeQuietly(local[i]);
            }
            return null;
        }
    }

    /**
     * The descriptor to pass on for {@code fd}, made here; an IOException says why it cannot be
     * (for a program that inherits it, whose user should read why).
     */
    public int make(PassedFd fd, String description) throws IOException {
        return switch (fd) {
            case PassedFds.File file -> open(file);
            case PassedFds.Tap tap -> PassedTaps.make(tap, allowedBridges);
            case PassedFds.Device device -> PassedDevices.open(device);
            case PassedFds.Pipe pipe -> {
                int[] ends = FileCalls.pipe2(Flags.O_CLOEXEC);
                int relayed = pipe.readEnd() ? ends[1] : ends[0];
                nonBlocking(relayed);
                expect(
                        pipe.token(),
                        new Waiting(
                                relayed,
                                0,
                                pipe.readEnd() ? LocalEnd.PIPE_SINK : LocalEnd.PIPE_SOURCE,
                                description + " passed pipe"));
                yield pipe.readEnd() ? ends[0] : ends[1];
            }
            case PassedFds.Listener listener ->
                listeners.make(listener, allowedPath(listener), description + " passed listener");
            case PassedFds.Socket socket -> {
                int[] pair = UnixSockets.socketpair(socket.type(), true);
                expect(
                        socket.token(),
                        new Waiting(pair[0], socket.type(), LocalEnd.SOCKET, description + " passed socket"));
                yield pair[1];
            }
        };
    }

    private int open(PassedFds.File file) throws ErrnoException {
        String path = shared.localPathOf(Path.of(file.path())).orElse(file.path());
        String judged = allowlist.judge(SocketName.path(path));
        if (judged == null) {
            audit.warn("denied op=open-passed-file path={} (not under an allowed prefix)", path);
            throw new ErrnoException("open passed file " + path + " (not allowed here)", Errno.EACCES);
        }
        int flags = (OpenFlagsWire.fromWire(file.flags()) & ~CREATION_FLAGS) | Flags.O_NOFOLLOW | Flags.O_CLOEXEC;
        // Opened non-blocking: the sender passed a regular file, but what is at the path here may be
        // a fifo (replaced meanwhile, or another file under the same path), whose open would wait
        // for a writer on this thread (a stream handler's, or an event loop) for as long as none came.
        int fd = FileCalls.openat(Flags.AT_FDCWD, judged, flags | Flags.O_NONBLOCK, 0);
        try {
            if (!Metadata.fstat(fd).isRegularFile()) {
                throw new ErrnoException("open passed file " + path + " (not a regular file here)", Errno.EINVAL);
            }
            if ((flags & Flags.O_NONBLOCK) == 0) {
                FileCalls.fcntl(fd, Flags.F_SETFL, FileCalls.fcntl(fd, Flags.F_GETFL, 0) & ~Flags.O_NONBLOCK);
            }
            FileCalls.lseek(fd, file.offset(), Flags.SEEK_SET);
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
        return fd;
    }

    /**
     * Where the listener is bound here: null (an abstract name) when the sender names no path; its
     * path when the allowlist allows it. A path not allowed refuses the listener: the sender drops
     * its own once we run, so one bound nowhere would leave its clients nothing to connect to.
     */
    private String allowedPath(PassedFds.Listener listener) throws ErrnoException {
        if (listener.path().isEmpty()) {
            return null;
        }
        String path = shared.localPathOf(Path.of(listener.path())).orElse(listener.path());
        String judged = allowlist.judge(SocketName.path(path));
        if (judged == null) {
            audit.warn("denied op=bind-passed-listener path={} (not under an allowed prefix)", path);
            throw new ErrnoException("bind a passed listener at " + path + " (not allowed here)", Errno.EACCES);
        }
        return judged;
    }

    /** A relay's stream (of our service) arrived from the peer, with {@code token} in its header. */
    public void arrived(long token, ByteStream stream) {
        if (listeners.arrived(token, stream)) {
            return;
        }
        Object waiting = rendezvous.remove(token);
        if (waiting instanceof Waiting w) {
            start(w.fd(), w.type(), w.end(), stream, w.description());
            return;
        }
        Object earlier = rendezvous.putIfAbsent(token, stream);
        if (earlier instanceof Waiting w && rendezvous.remove(token, earlier)) {
            start(w.fd(), w.type(), w.end(), stream, w.description()); // it came in between
        } else if (earlier == null) {
            letGoLater(token, stream);
        }
    }

    private void expect(long token, Waiting waiting) {
        Object stream = rendezvous.putIfAbsent(token, waiting);
        if (stream instanceof ByteStream s && rendezvous.remove(token, stream)) {
            start(waiting.fd(), waiting.type(), waiting.end(), s, waiting.description());
        } else if (stream == null) {
            letGoLater(token, waiting);
        }
    }

    /** Drops {@code alone} if it still waits for its partner after {@link #RENDEZVOUS_WAIT}. */
    private void letGoLater(long token, Object alone) {
        io.dpuoffload.transport.net.EventLoops.shared()
                .schedule(
                        () -> {
                            if (!rendezvous.remove(token, alone)) {
                                return;
                            }
                            switch (alone) {
                                case Waiting w -> {
                                    log.warn(
                                            "{}: its relay never came (the channel was lost meanwhile); "
                                                    + "the passed end sees end of file",
                                            w.description());
                                    FileCalls.closeQuietly(w.fd());
                                }
                                case ByteStream s -> s.cancel("no message named this passed descriptor");
                                default -> {}
                            }
                        },
                        RENDEZVOUS_WAIT.toNanos(),
                        java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Stops carrying connections to a listener we passed (its program ended). */
    public void stopListening(PassedFd passed) {
        if (passed instanceof PassedFds.Listener listener) {
            listeners.stop(listener.token());
        }
    }

    /**
     * The peer has made its socket for a listener we passed with a path (see {@link
     * #bindListenersOnPeer}): carries the connections queued on ours and closes it, so that clients
     * find the peer's by path from now on, also after we are gone.
     */
    public void handOverListener(PassedFd passed) {
        if (passed instanceof PassedFds.Listener listener && !listener.path().isEmpty()) {
            listeners.drainAndStop(listener.token());
        }
    }

    private void start(int fd, int type, LocalEnd end, ByteStream stream, String description) {
        relayOpened.run();
        SocketRelay.start(
                fd, stream, new SocketRelay.Options(type, end, false, description, relayClosed, status -> {}, this));
    }

    private static void nonBlocking(int fd) throws ErrnoException {
        int flags = FileCalls.fcntl(fd, Flags.F_GETFL, 0);
        FileCalls.fcntl(fd, Flags.F_SETFL, flags | Flags.O_NONBLOCK);
    }
}
