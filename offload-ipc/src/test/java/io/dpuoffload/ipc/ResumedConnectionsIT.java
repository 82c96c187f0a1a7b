package io.dpuoffload.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.relay.DurableLink;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Carried connections through a lost channel, on a real mutual-TLS channel through a TCP link that
 * the test cuts, with real Unix sockets on both ends: a forced reconnect, a cut longer than the
 * heartbeat timeout, a cut longer than the bound, and a host side that restarted. What crosses
 * arrives exactly once and in order (seqpacket: message by message), half-closes too, and neither
 * local socket sees end of file until the connection really ends.
 */
class ResumedConnectionsIT {
    /** The transport's heartbeat timeout (docs/transport.md): a silent cut is noticed this late. */
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path work;

    private Path hostDir;
    private Path dpuDir;
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void dirsAndLog() throws IOException {
        hostDir = Files.createDirectories(work.resolve("host"));
        dpuDir = Files.createDirectories(work.resolve("dpu"));
        lines.start();
        ((Logger) LoggerFactory.getLogger(DurableLink.class)).addAppender(lines);
    }

    @AfterEach
    void detachLog() {
        ((Logger) LoggerFactory.getLogger(DurableLink.class)).detachAppender(lines);
    }

    private IpcConfig.Forward forward(Path listen, Path to, int type) {
        return new IpcConfig.Forward(SocketName.path(listen.toString()), SocketName.path(to.toString()), type);
    }

    /** The DPU's {@code echo.sock} carried to the host's. */
    private PairOverLink dpuToHost(Duration resumeWithin) throws Exception {
        return new PairOverLink(
                IpcPair.config("host-1", List.of(), List.of(hostDir.toString())).withResumeWithin(resumeWithin),
                IpcPair.config(
                                "dpu-1",
                                List.of(forward(
                                        dpuDir.resolve("echo.sock"),
                                        hostDir.resolve("echo.sock"),
                                        UnixSockets.SOCK_STREAM)),
                                List.of())
                        .withResumeWithin(resumeWithin));
    }

    @Test
    void aStreamThroughTwoForcedReconnectsArrivesWholeBothWays() throws Exception {
        try (ServerSocketChannel echo = EchoServers.stream(hostDir.resolve("echo.sock"));
                PairOverLink pair = dpuToHost(IpcConfig.DEFAULT_RESUME_WITHIN);
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(dpuDir.resolve("echo.sock")))) {
            Pattern traffic = Pattern.start(client, 6 << 20, Duration.ofMillis(10));
            for (int cut = 1; cut <= 2; cut++) {
                Thread.sleep(200);
                int before = pair.dpuConnections.get();
                pair.link.reset();
                await().atMost(Duration.ofSeconds(20)).until(() -> pair.dpuConnections.get() > before);
            }
            traffic.assertArrivedWhole();
            assertThat(pair.dpuConnections.get()).as("channel connections").isGreaterThanOrEqualTo(3);
            assertThat(messages()).anyMatch(m -> m.contains("resumed after"));
        }
    }

    @Test
    void aResumeTakesTheConnectionOverBeforeTheHostNoticedItsOldChannelWasGone() throws Exception {
        try (ServerSocketChannel echo = EchoServers.stream(hostDir.resolve("echo.sock"));
                PairOverLink pair = dpuToHost(IpcConfig.DEFAULT_RESUME_WITHIN);
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(dpuDir.resolve("echo.sock")))) {
            Pattern traffic = Pattern.start(client, 4 << 20, Duration.ofMillis(10));
            Thread.sleep(200);
            int before = pair.dpuConnections.get();
            long cut = System.nanoTime();
            pair.link.resetDpuSide(); // the host's end of the old channel stays open, silent
            await().atMost(Duration.ofSeconds(20)).until(() -> pair.dpuConnections.get() > before);
            traffic.assertArrivedWhole();
            assertThat(Duration.ofNanos(System.nanoTime() - cut))
                    .as("resumed without waiting for the host's heartbeat timeout")
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(messages()).anyMatch(m -> m.contains("resumed after"));
        }
    }

    @Test
    void aConnectionTheHostOpenedResumesToo() throws Exception {
        try (ServerSocketChannel echo = EchoServers.stream(dpuDir.resolve("daemon.sock"));
                PairOverLink pair = new PairOverLink(
                        IpcPair.config(
                                "host-1",
                                List.of(forward(
                                        hostDir.resolve("daemon.sock"),
                                        dpuDir.resolve("daemon.sock"),
                                        UnixSockets.SOCK_STREAM)),
                                List.of()),
                        IpcPair.config("dpu-1", List.of(), List.of(dpuDir.toString())));
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(hostDir.resolve("daemon.sock")))) {
            Pattern traffic = Pattern.start(client, 4 << 20, Duration.ofMillis(10));
            Thread.sleep(200);
            int before = pair.dpuConnections.get();
            pair.link.reset();
            await().atMost(Duration.ofSeconds(20)).until(() -> pair.dpuConnections.get() > before);
            traffic.assertArrivedWhole();
            assertThat(messages()).anyMatch(m -> m.contains("resumed after"));
        }
    }

    @Test
    void seqpacketMessagesOfAConnectToThePeerKeepTheirBoundariesThroughAReconnect() throws Exception {
        int listener = EchoServers.seqpacket(hostDir.resolve("seq.sock"));
        int messages = 400;
        try (PairOverLink pair = new PairOverLink(
                        IpcPair.config("host-1", List.of(), List.of(hostDir.toString())),
                        IpcPair.config("dpu-1", List.of(), List.of()));
                Arena arena = Arena.ofShared()) {
            // What a transparent connect installs in its caller: a socket connected through the peer.
            int fd = pair.dpu
                    .connectToPeer(SocketName.path(hostDir.resolve("seq.sock").toString()), UnixSockets.SOCK_SEQPACKET)
                    .get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> sender = CompletableFuture.runAsync(
                    () -> {
                        MemorySegment out = arena.allocate(100_000);
                        for (int i = 0; i < messages; i++) {
                            int size = sizeOf(i);
                            out.asSlice(0, size).fill((byte) i);
                            long n;
                            while ((n = UnixSockets.send(fd, out, size)) == -Errno.EAGAIN) {
                                sleep(1); // held back: the relay holds all it may for the peer
                            }
                            if (n != size) {
                                throw new AssertionError("message " + i + ": send gave " + n);
                            }
                            sleep(5);
                        }
                    },
                    Pattern.THREADS);
            Thread.sleep(500);
            int before = pair.dpuConnections.get();
            pair.link.reset();
            await().atMost(Duration.ofSeconds(20)).until(() -> pair.dpuConnections.get() > before);
            MemorySegment in = arena.allocate(200_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; i < messages; i++) {
                long n;
                while ((n = UnixSockets.recv(fd, in, in.byteSize(), UnixSockets.MSG_DONTWAIT)) == -Errno.EAGAIN) {
                    assertThat(System.nanoTime())
                            .as("message %d arrives in time", i)
                            .isLessThan(deadline);
                    Thread.sleep(1);
                }
                assertThat(n).as("message %d arrives whole and alone", i).isEqualTo(sizeOf(i));
                assertThat(in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0))
                        .as("message %d, in order", i)
                        .isEqualTo((byte) i);
                assertThat(in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, n - 1))
                        .isEqualTo((byte) i);
            }
            sender.get(30, TimeUnit.SECONDS);
            FileCalls.close(fd);
        } finally {
            FileCalls.close(listener);
        }
    }

    private static int sizeOf(int message) {
        return switch (message % 5) {
            case 0 -> 1;
            case 1 -> 1000;
            case 2 -> 70_000;
            case 3 -> 7;
            default -> 4096;
        };
    }

    @Test
    void aCutLongerThanTheHeartbeatTimeoutLosesNothingAndAHalfCloseMadeMeanwhileArrives() throws Exception {
        try (ServerSocketChannel echo = EchoServers.stream(hostDir.resolve("echo.sock"));
                PairOverLink pair = dpuToHost(Duration.ofSeconds(30));
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(dpuDir.resolve("echo.sock")))) {
            // 1 MiB before the cut, then 1 MiB and the half-close during it: more than is held for
            // the peer (256 KiB), so the writer is held back until the channel is back.
            Pattern traffic = Pattern.start(client, 2 << 20, Duration.ZERO, 1 << 20);
            traffic.awaitWritten(1 << 20);
            await().atMost(Duration.ofSeconds(10)).until(() -> traffic.read() >= (1 << 20));
            pair.link.goSilent();
            traffic.release();
            Thread.sleep(PEER_TIMEOUT.plusSeconds(3).toMillis());
            assertThat(traffic.read()).as("nothing crosses a cut link").isEqualTo(1 << 20);
            pair.link.restore();
            traffic.assertArrivedWhole();
            assertThat(messages()).anyMatch(m -> m.contains("the channel was lost"));
            assertThat(messages()).anyMatch(m -> m.contains("resumed after"));
        }
    }

    @Test
    void pastTheBoundBothSocketsSeeEndOfFileAndOneLineSaysWhy() throws Exception {
        Duration bound = Duration.ofSeconds(3);
        try (ServerSocketChannel target = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            target.bind(UnixDomainSocketAddress.of(hostDir.resolve("echo.sock")));
            try (PairOverLink pair = dpuToHost(bound);
                    SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(dpuDir.resolve("echo.sock")));
                    SocketChannel server = target.accept()) {
                client.write(ByteBuffer.wrap(new byte[] {42}));
                assertThat(server.read(ByteBuffer.allocate(1))).isEqualTo(1);
                long cut = System.nanoTime();
                pair.link.goSilent(); // and it stays cut
                CompletableFuture<Duration> hostEnd =
                        CompletableFuture.supplyAsync(() -> endOf(server, cut), Pattern.THREADS);
                Duration dpuEnd = endOf(client, cut);
                Duration limit = PEER_TIMEOUT.plus(bound).plusSeconds(4);
                assertThat(dpuEnd).as("the DPU's socket ends").isLessThan(limit);
                assertThat(hostEnd.get(limit.toSeconds(), TimeUnit.SECONDS))
                        .as("the host's socket ends")
                        .isLessThan(limit);
                assertThat(dpuEnd).as("not before the bound").isGreaterThanOrEqualTo(bound);
                assertThat(messages())
                        .filteredOn(m -> m.contains("ended: the channel did not come back within 3 s"))
                        .hasSize(2); // one line per side
            }
        }
    }

    @Test
    void aHostThatRestartedRefusesTheResumeAndTheConnectionEndsAtOnce() throws Exception {
        IpcConfig hostConfig = IpcPair.config("host-1", List.of(), List.of(hostDir.toString()));
        try (ServerSocketChannel echo = EchoServers.stream(hostDir.resolve("echo.sock"));
                PairOverLink pair = dpuToHost(IpcConfig.DEFAULT_RESUME_WITHIN);
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(dpuDir.resolve("echo.sock")))) {
            client.write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(client.read(ByteBuffer.allocate(1))).isEqualTo(1);
            long restart = System.nanoTime();
            pair.restartHost(hostConfig);
            Duration ended = endOf(client, restart);
            assertThat(ended).as("ended at once, not after the bound").isLessThan(Duration.ofSeconds(10));
            assertThat(messages()).anyMatch(m -> m.contains("the peer does not know the connection any more"));
            // The new host carries new connections as before.
            try (SocketChannel again = SocketChannel.open(UnixDomainSocketAddress.of(dpuDir.resolve("echo.sock")))) {
                again.write(ByteBuffer.wrap(new byte[] {2}));
                ByteBuffer back = ByteBuffer.allocate(1);
                await().atMost(Duration.ofSeconds(10)).until(() -> again.read(back) == 1);
            }
        }
    }

    @Test
    void withAPeerThatDoesNotResumeAConnectionEndsWithTheChannelAsBefore() throws Exception {
        try (ServerSocketChannel echo = EchoServers.stream(hostDir.resolve("echo.sock"));
                PairOverLink pair = new PairOverLink(
                        IpcPair.config("host-1", List.of(), List.of(hostDir.toString()))
                                .withResumeWithin(Duration.ZERO),
                        IpcPair.config(
                                "dpu-1",
                                List.of(forward(
                                        dpuDir.resolve("echo.sock"),
                                        hostDir.resolve("echo.sock"),
                                        UnixSockets.SOCK_STREAM)),
                                List.of()));
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(dpuDir.resolve("echo.sock")))) {
            client.write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(client.read(ByteBuffer.allocate(1))).isEqualTo(1);
            assertThat(pair.dpu.resumableConnections())
                    .as("the opener gave up resuming: the acceptor does not")
                    .isZero();
            long cut = System.nanoTime();
            pair.link.reset();
            assertThat(endOf(client, cut)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aConnectionTheRestartedHostHadOpenedEndsOnTheDpuAsSoonAsTheNewHostConnects() throws Exception {
        try (ServerSocketChannel daemon = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            daemon.bind(UnixDomainSocketAddress.of(dpuDir.resolve("daemon.sock")));
            try (PairOverLink pair = new PairOverLink(
                            IpcPair.config(
                                    "host-1",
                                    List.of(forward(
                                            hostDir.resolve("daemon.sock"),
                                            dpuDir.resolve("daemon.sock"),
                                            UnixSockets.SOCK_STREAM)),
                                    List.of()),
                            IpcPair.config("dpu-1", List.of(), List.of(dpuDir.toString())));
                    SocketChannel client =
                            SocketChannel.open(UnixDomainSocketAddress.of(hostDir.resolve("daemon.sock")));
                    SocketChannel accepted = daemon.accept()) {
                client.write(ByteBuffer.wrap(new byte[] {1}));
                assertThat(accepted.read(ByteBuffer.allocate(1))).isEqualTo(1);
                long restart = System.nanoTime();
                pair.restartHost(IpcPair.config("host-1", List.of(), List.of()));
                assertThat(endOf(accepted, restart))
                        .as("the DPU's side ends once the new host is there, not after the bound")
                        .isLessThan(Duration.ofSeconds(10));
                assertThat(messages()).anyMatch(m -> m.contains("ended: the peer restarted"));
            }
        }
    }

    @Test
    void aHostThatStopsSayingSoEndsTheConnectionAtOnce() throws Exception {
        try (ServerSocketChannel echo = EchoServers.stream(hostDir.resolve("echo.sock"));
                PairOverLink pair = dpuToHost(IpcConfig.DEFAULT_RESUME_WITHIN);
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(dpuDir.resolve("echo.sock")))) {
            client.write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(client.read(ByteBuffer.allocate(1))).isEqualTo(1);
            long stop = System.nanoTime();
            pair.server.close(); // GO_AWAY SHUTDOWN: the host process stops
            assertThat(endOf(client, stop)).as("not held for a resume").isLessThan(Duration.ofSeconds(5));
            assertThat(messages()).anyMatch(m -> m.contains("ended: the peer stopped"));
        }
    }

    /** How long after {@code since} the socket saw end of file (or a reset); waits for it. */
    private static Duration endOf(SocketChannel socket, long since) {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        try {
            while (socket.read(buffer.clear()) >= 0) {
                // nothing more is expected
            }
        } catch (IOException e) {
            // a reset: also an end
        }
        return Duration.ofNanos(System.nanoTime() - since);
    }

    private List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
