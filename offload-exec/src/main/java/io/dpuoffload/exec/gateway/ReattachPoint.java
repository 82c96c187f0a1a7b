package io.dpuoffload.exec.gateway;

import io.dpuoffload.exec.wire.ExecWire;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Poll;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where rexec clients whose gateway went away (a DPU agent restart) come back to the next one: a
 * datagram socket with an abstract name derived from the gateway's path. Abstract, because the
 * client's view of the offload root may be the old agent's, taken down since; a datagram with the
 * client's end of a socket pair (SCM_RIGHTS), because connect() may be what the old agent's seccomp
 * filter intercepted, and with its supervisor gone the kernel fails it.
 *
 * <p>Each message is "DPUR", a version byte and the run's 16-byte token, with one descriptor. The
 * token, which only the client and the host know, is the authority; the sender must also run as
 * this gateway's user, as the gateway's 0600 socket requires.
 */
final class ReattachPoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReattachPoint.class);
    private static final byte[] MAGIC = "DPUR".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int MESSAGE_BYTES = MAGIC.length + 1 + ExecWire.TOKEN_BYTES;
    private static final int POLL_MILLIS = 500;

    private final SocketName name;
    private final int socket;
    private final Thread receiver;
    private volatile boolean closed;

    private ReattachPoint(SocketName name, int socket, BiConsumer<Integer, byte[]> comeBack) {
        this.name = name;
        this.socket = socket;
        this.receiver =
                Thread.ofPlatform().daemon().name("exec-gateway-reattach").start(() -> receive(comeBack));
    }

    /**
     * Listens at the name for {@code gateway}'s path; {@code comeBack} gets each client's socket
     * (ours to close) and its run's token.
     */
    static ReattachPoint open(Path gateway, BiConsumer<Integer, byte[]> comeBack) throws ErrnoException {
        SocketName name = SocketName.abstractName(nameFor(gateway));
        int fd = UnixSockets.socket(UnixSockets.SOCK_DGRAM);
        try {
            UnixSockets.bind(fd, name);
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
        return new ReattachPoint(name, fd, comeBack);
    }

    /** The abstract name (without its leading 0) for the gateway at {@code gateway}: the same for its successor. */
    static String nameFor(Path gateway) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(gateway.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return "dpu-offload-exec-reattach-" + HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    String name() {
        return new String(name.bytes(), StandardCharsets.UTF_8);
    }

    private void receive(BiConsumer<Integer, byte[]> comeBack) {
        UnixSockets.ReceivedFds fds = new UnixSockets.ReceivedFds();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(MESSAGE_BYTES + 1);
            while (!closed) {
                if (Poll.poll(socket, Poll.POLLIN, POLL_MILLIS) == 0) {
                    continue;
                }
                long n = UnixSockets.recvWithFds(socket, buffer, MESSAGE_BYTES + 1, 0, fds);
                if (n == -Errno.EAGAIN) {
                    continue;
                }
                int[] received = fds.take();
                byte[] message = n > 0 ? buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE) : new byte[0];
                String refused = refusal(message, received);
                if (refused != null) {
                    log.warn("exec gateway: refused a reattach: {}", refused);
                    Arrays.stream(received).forEach(FileCalls::closeQuietly);
                    continue;
                }
                comeBack.accept(received[0], Arrays.copyOfRange(message, MAGIC.length + 1, MESSAGE_BYTES));
            }
        } catch (ErrnoException e) {
            log.error("exec gateway: the reattach socket failed: {}", e.getMessage());
        }
    }

    /** Why a message is not a reattach from a client we may serve, or null when it is one. */
    private static String refusal(byte[] message, int[] fds) throws ErrnoException {
        if (message.length != MESSAGE_BYTES
                || !Arrays.equals(message, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                || message[MAGIC.length] != VERSION) {
            return "not a rexec reattach of version " + VERSION + " (" + message.length + " bytes)";
        }
        if (fds.length != 1) {
            return "it came with " + fds.length + " descriptors, not one";
        }
        int pid = UnixSockets.peerPid(fds[0]);
        if (!sameUser(pid)) {
            return "pid " + pid + " runs as another user than this gateway";
        }
        return null;
    }

    private static boolean sameUser(int pid) {
        try {
            return Files.getAttribute(Path.of("/proc", Integer.toString(pid)), "unix:uid")
                    .equals(Files.getAttribute(Path.of("/proc/self/"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        receiver.join();
        FileCalls.closeQuietly(socket);
    }
}
