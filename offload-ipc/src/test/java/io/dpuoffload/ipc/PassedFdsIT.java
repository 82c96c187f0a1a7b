package io.dpuoffload.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.EventFd;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Descriptors passed over a carried connection (SCM_RIGHTS), in both directions: a regular file
 * arrives opened again with its flags and offset, a pipe end and a socket arrive relayed, several in
 * one message keep their order; a descriptor that cannot be carried is refused with a warning.
 */
class PassedFdsIT {
    @TempDir
    Path work;

    /** The sides: the client's (where the connection is made) and the server's (where it lands). */
    private record Crossing(IpcPair pair, Path clientSocket, Path serverSocket, Path files) implements AutoCloseable {
        @Override
        public void close() {
            pair.close();
        }
    }

    /** A forward from the DPU to the host, or from the host to the DPU; files may be passed either way. */
    private Crossing crossing(boolean fromDpu) throws Exception {
        Path host = Files.createDirectories(work.resolve("host"));
        Path dpu = Files.createDirectories(work.resolve("dpu"));
        Path files = Files.createDirectories(work.resolve("files"));
        Path client = (fromDpu ? dpu : host).resolve("client.sock");
        Path server = (fromDpu ? host : dpu).resolve("server.sock");
        var forward = new IpcConfig.Forward(
                SocketName.path(client.toString()), SocketName.path(server.toString()), UnixSockets.SOCK_STREAM);
        List<String> allowHost = List.of(host.toString(), files.toString());
        List<String> allowDpu = List.of(dpu.toString(), files.toString());
        IpcPair pair = new IpcPair(
                work,
                IpcPair.config("host-1", fromDpu ? List.of() : List.of(forward), allowHost),
                IpcPair.config("dpu-1", fromDpu ? List.of(forward) : List.of(), allowDpu));
        return new Crossing(pair, client, server, files);
    }

    @ParameterizedTest(name = "from the DPU: {0}")
    @ValueSource(booleans = {true, false})
    void aFileAPipeAndASocketArriveInOrderAndWork(boolean fromDpu) throws Exception {
        try (Crossing crossing = crossing(fromDpu);
                Arena arena = Arena.ofConfined()) {
            Path data = Files.writeString(crossing.files().resolve("data.txt"), "0123456789");
            int listener = UnixSockets.socket(UnixSockets.SOCK_STREAM);
            UnixSockets.listen(listener, SocketName.path(crossing.serverSocket().toString()), 4);
            int client = connect(crossing.clientSocket());

            int file = FileCalls.openat(Flags.AT_FDCWD, data.toString(), Flags.O_RDONLY | Flags.O_CLOEXEC, 0);
            FileCalls.lseek(file, 4, Flags.SEEK_SET);
            int[] pipe = FileCalls.pipe2(Flags.O_CLOEXEC);
            int[] sockets = UnixSockets.socketpair(UnixSockets.SOCK_STREAM, true);
            MemorySegment one = arena.allocateFrom("m");
            assertThat(UnixSockets.sendWithFds(client, one, 1, new int[] {file, pipe[0], sockets[1]}))
                    .isEqualTo(1);
            FileCalls.close(file);
            FileCalls.close(pipe[0]);
            FileCalls.close(sockets[1]);

            int server = retry(() -> UnixSockets.accept(listener));
            UnixSockets.ReceivedFds received = new UnixSockets.ReceivedFds();
            MemorySegment buffer = arena.allocate(64);
            assertThat(retry(() -> UnixSockets.recvWithFds(server, buffer, 64, 0, received)))
                    .isEqualTo(1);
            int[] fds = received.take();
            assertThat(fds).as("three descriptors, in the order passed").hasSize(3);

            // 1. the file: same file, same offset, same access mode
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fds[0])))
                    .isEqualTo(data);
            assertThat(FileCalls.lseek(fds[0], 0, Flags.SEEK_CUR)).isEqualTo(4);
            assertThat(FileCalls.fcntl(fds[0], Flags.F_GETFL, 0) & Flags.O_ACCMODE)
                    .isEqualTo(Flags.O_RDONLY);
            assertThat(readAll(fds[0], arena)).isEqualTo("456789");

            // 2. the pipe's read end: what is written into the original pipe comes out, then end of file
            assertThat(Metadata.fstat(fds[1]).isFifo()).isTrue();
            MemorySegment text = arena.allocateFrom("through the pipe", StandardCharsets.UTF_8);
            FileCalls.write(pipe[1], text, text.byteSize() - 1);
            FileCalls.close(pipe[1]);
            assertThat(readAll(fds[1], arena)).isEqualTo("through the pipe");

            // 3. the socket: a conversation with the other end of the original pair
            MemorySegment ping = arena.allocateFrom("ping", StandardCharsets.UTF_8);
            assertThat(retry(() -> UnixSockets.send(fds[2], ping, 4))).isEqualTo(4);
            assertThat(retry(() -> UnixSockets.recv(sockets[0], buffer, 64, 0))).isEqualTo(4);
            assertThat(buffer.getString(0).substring(0, 4)).isEqualTo("ping");

            for (int fd : new int[] {fds[0], fds[1], fds[2], server, client, listener, sockets[0]}) {
                FileCalls.close(fd);
            }
        }
    }

    /**
     * vhost-net, which libvirt passes to QEMU with a VM's tap: the receiver gets its own open of the
     * device. Needs the vhost_net module (a KVM host has it loaded); skipped where it is absent.
     */
    @Test
    void vhostNetArrivesAsAnOpenOfTheReceiversOwnDevice() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.exists(java.nio.file.Path.of("/dev/vhost-net")),
                "this machine has no /dev/vhost-net (the vhost_net module is not loaded)");
        int vhost = FileCalls.openat(Flags.AT_FDCWD, "/dev/vhost-net", Flags.O_RDWR | Flags.O_CLOEXEC, 0);
        long rdev = Metadata.fstat(vhost).rdev();
        int[] fds = passOneAcross(vhost);
        assertThat(fds).hasSize(1);
        assertThat(Metadata.fstat(fds[0]).rdev()).isEqualTo(rdev);
        FileCalls.close(fds[0]);
    }

    /**
     * /dev/null, which daemons keep among the descriptors their programs inherit: the receiver gets
     * its own open of it, with the sender's access mode, and no warning.
     */
    @Test
    void devNullArrivesAsAnOpenOfTheReceiversOwnDevice() throws Exception {
        int devNull =
                FileCalls.openat(Flags.AT_FDCWD, "/dev/null", Flags.O_WRONLY | Flags.O_APPEND | Flags.O_CLOEXEC, 0);
        long rdev = Metadata.fstat(devNull).rdev();
        int[] fds = passOneAcross(devNull);
        assertThat(fds).hasSize(1);
        assertThat(Metadata.fstat(fds[0]).rdev()).isEqualTo(rdev);
        assertThat(FileCalls.fcntl(fds[0], Flags.F_GETFL, 0) & (Flags.O_ACCMODE | Flags.O_APPEND))
                .isEqualTo(Flags.O_WRONLY | Flags.O_APPEND);
        try (Arena arena = Arena.ofConfined()) {
            assertThat(FileCalls.write(fds[0], arena.allocateFrom("gone"), 4)).isEqualTo(4);
        }
        FileCalls.close(fds[0]);
    }

    @Test
    void aDescriptorThatCannotBeCarriedIsRefusedWithAWarningAndTheBytesStillArrive() throws Exception {
        Logger relayLog = (Logger) LoggerFactory.getLogger(FdCarrier.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        relayLog.addAppender(lines);
        try {
            assertThat(passOneAcross(EventFd.eventfd(0, EventFd.EFD_CLOEXEC))).isEmpty();
            assertThat(lines.list).anySatisfy(line -> assertThat(line.getFormattedMessage())
                    .contains("cannot be carried", "eventfd"));
        } finally {
            relayLog.detachAppender(lines);
        }
    }

    /**
     * Sends one byte with {@code fd} (then closed here) from the DPU's side of a crossing to the
     * host's: the byte arrives; returns the descriptors that came with it.
     */
    private int[] passOneAcross(int fd) throws Exception {
        try (Crossing crossing = crossing(true);
                Arena arena = Arena.ofConfined()) {
            int listener = UnixSockets.socket(UnixSockets.SOCK_STREAM);
            UnixSockets.listen(listener, SocketName.path(crossing.serverSocket().toString()), 4);
            int client = connect(crossing.clientSocket());
            assertThat(UnixSockets.sendWithFds(client, arena.allocateFrom("x"), 1, new int[] {fd}))
                    .isEqualTo(1);
            FileCalls.close(fd);
            int server = retry(() -> UnixSockets.accept(listener));
            UnixSockets.ReceivedFds received = new UnixSockets.ReceivedFds();
            MemorySegment buffer = arena.allocate(8);
            assertThat(retry(() -> UnixSockets.recvWithFds(server, buffer, 8, 0, received)))
                    .isEqualTo(1);
            for (int end : new int[] {server, client, listener}) {
                FileCalls.close(end);
            }
            return received.take();
        }
    }

    private static int connect(Path socket) throws Exception {
        int fd = UnixSockets.socket(UnixSockets.SOCK_STREAM);
        assertThat(UnixSockets.connect(fd, SocketName.path(socket.toString()))).isZero();
        return fd;
    }

    private static String readAll(int fd, Arena arena) throws Exception {
        FileCalls.fcntl(
                fd, Flags.F_SETFL, FileCalls.fcntl(fd, Flags.F_GETFL, 0) | Flags.O_NONBLOCK); // for the deadline
        MemorySegment buffer = arena.allocate(256);
        StringBuilder text = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            long n = FileCalls.readSome(fd, buffer, buffer.byteSize());
            if (n == 0) {
                return text.toString();
            }
            if (n > 0) {
                text.append(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            } else if (n == -Errno.EAGAIN) {
                Thread.sleep(1);
            } else {
                throw new AssertionError("read: " + Errno.name((int) -n));
            }
        }
        throw new AssertionError("no end of file within 10 s; read so far: " + text);
    }

    private interface Call {
        long call();
    }

    private static int retry(Call call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long n = call.call();
            if (n != -Errno.EAGAIN || System.nanoTime() > deadline) {
                return (int) n;
            }
            Thread.sleep(1);
        }
    }
}
