package io.dpuoffload.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Unix-socket connections carried between two offload-ipc nodes over a real channel, with real
 * sockets on both ends: data and half-close both ways, seqpacket boundaries, the peer's errno,
 * the allowlist and its audit line, many connections at once, and a lost peer.
 */
class CarriedConnectionsIT {
    @TempDir
    Path work;

    private Path dir(String name) throws IOException {
        return Files.createDirectories(work.resolve(name));
    }

    private static IpcConfig.Forward stream(Path listen, Path to) {
        return new IpcConfig.Forward(
                SocketName.path(listen.toString()), SocketName.path(to.toString()), UnixSockets.SOCK_STREAM);
    }

    @Test
    void aDpuClientTalksToAHostSocketAndItsHalfCloseComesBack() throws Exception {
        Path host = dir("host");
        Path dpu = dir("dpu");
        try (ServerSocketChannel echo = EchoServers.stream(host.resolve("echo.sock"));
                IpcPair pair = new IpcPair(
                        work,
                        IpcPair.config("host-1", List.of(), List.of(host.toString())),
                        IpcPair.config(
                                "dpu-1",
                                List.of(stream(dpu.resolve("echo.sock"), host.resolve("echo.sock"))),
                                List.of()))) {
            assertThat(roundTrip(dpu.resolve("echo.sock"), "hello from the DPU"))
                    .isEqualTo("hello from the DPU");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(dpu.resolve("echo.sock"))))
                    .as("the forward's socket: owner only by default, whatever the umask")
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void aHostClientTalksToASocketTheDpuServes() throws Exception {
        Path host = dir("host");
        Path dpu = dir("dpu");
        try (ServerSocketChannel echo = EchoServers.stream(dpu.resolve("daemon.sock"));
                IpcPair pair = new IpcPair(
                        work,
                        IpcPair.config(
                                "host-1",
                                List.of(stream(host.resolve("daemon.sock"), dpu.resolve("daemon.sock"))),
                                List.of()),
                        IpcPair.config("dpu-1", List.of(), List.of(dpu.toString())))) {
            assertThat(roundTrip(host.resolve("daemon.sock"), "hello from the host"))
                    .isEqualTo("hello from the host");
        }
    }

    @Test
    void seqpacketMessagesKeepTheirBoundaries() throws Exception {
        Path host = dir("host");
        Path dpu = dir("dpu");
        int listener = EchoServers.seqpacket(host.resolve("seq.sock"));
        var forward = new IpcConfig.Forward(
                SocketName.path(dpu.resolve("seq.sock").toString()),
                SocketName.path(host.resolve("seq.sock").toString()),
                UnixSockets.SOCK_SEQPACKET);
        try (IpcPair pair = new IpcPair(
                        work,
                        IpcPair.config("host-1", List.of(), List.of(host.toString())),
                        IpcPair.config("dpu-1", List.of(forward), List.of()));
                Arena arena = Arena.ofConfined()) {
            int fd = UnixSockets.socket(UnixSockets.SOCK_SEQPACKET);
            assertThat(UnixSockets.connect(
                            fd, SocketName.path(dpu.resolve("seq.sock").toString())))
                    .isZero();
            MemorySegment buffer = arena.allocate(200_000);
            for (int size : new int[] {1, 1000, 100_000, 7}) {
                buffer.fill((byte) size);
                assertThat(retry(() -> UnixSockets.send(fd, buffer, size))).isEqualTo(size);
            }
            List<Long> received = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                received.add(retry(() -> UnixSockets.recv(fd, buffer, buffer.byteSize(), 0)));
            }
            assertThat(received).as("each message arrives whole and alone").containsExactly(1L, 1000L, 100_000L, 7L);
            FileCalls.close(fd);
        } finally {
            FileCalls.close(listener);
        }
    }

    @Test
    void aConnectThroughThePeerGetsThePeersErrnoExactly() throws Exception {
        Path host = dir("host");
        Path outside = dir("outside");
        // A socket file nobody listens on any more: connect answers ECONNREFUSED.
        ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        gone.bind(UnixDomainSocketAddress.of(host.resolve("gone.sock")));
        gone.close();
        int seq = EchoServers.seqpacket(host.resolve("seq.sock"));
        try (IpcPair pair = new IpcPair(
                work,
                IpcPair.config("host-1", List.of(), List.of(host.toString())),
                IpcPair.config("dpu-1", List.of(), List.of()))) {
            assertThat(errnoOf(pair, host.resolve("no-such.sock"), UnixSockets.SOCK_STREAM))
                    .isEqualTo(Errno.ENOENT);
            assertThat(errnoOf(pair, host.resolve("gone.sock"), UnixSockets.SOCK_STREAM))
                    .isEqualTo(Errno.ECONNREFUSED);
            assertThat(errnoOf(pair, host.resolve("seq.sock"), UnixSockets.SOCK_STREAM))
                    .isEqualTo(Errno.EPROTOTYPE);
            assertThat(errnoOf(pair, outside.resolve("x.sock"), UnixSockets.SOCK_STREAM))
                    .isEqualTo(Errno.EACCES);
        } finally {
            FileCalls.close(seq);
        }
    }

    @Test
    void aDeniedConnectIsRefusedAndAuditLogged() throws Exception {
        Path host = dir("host");
        Path secret = dir("secret");
        // A symlink inside the allowed directory that points out of it carries nothing out either.
        try (ServerSocketChannel target = EchoServers.stream(secret.resolve("admin.sock"))) {
            Files.createSymbolicLink(host.resolve("link"), secret);
            Logger audit = (Logger) LoggerFactory.getLogger("dpuoffload.audit");
            ListAppender<ILoggingEvent> lines = new ListAppender<>();
            lines.start();
            audit.addAppender(lines);
            try (IpcPair pair = new IpcPair(
                    work,
                    IpcPair.config("host-1", List.of(), List.of(host.toString())),
                    IpcPair.config("dpu-1", List.of(), List.of()))) {
                assertThat(errnoOf(pair, secret.resolve("admin.sock"), UnixSockets.SOCK_STREAM))
                        .isEqualTo(Errno.EACCES);
                assertThat(errnoOf(pair, host.resolve("link/admin.sock"), UnixSockets.SOCK_STREAM))
                        .isEqualTo(Errno.EACCES);
            } finally {
                audit.detachAppender(lines);
            }
            assertThat(lines.list).hasSize(2);
            assertThat(lines.list.get(0).getFormattedMessage())
                    .contains("denied", "op=connect", "path=" + secret.resolve("admin.sock"), "uid=");
        }
    }

    @Test
    void aThousandConnectionsAtOnce() throws Exception {
        Path host = dir("host");
        Path dpu = dir("dpu");
        try (ServerSocketChannel echo = EchoServers.stream(host.resolve("echo.sock"));
                IpcPair pair = new IpcPair(
                        work,
                        IpcPair.config("host-1", List.of(), List.of(host.toString())),
                        IpcPair.config(
                                "dpu-1",
                                List.of(stream(dpu.resolve("echo.sock"), host.resolve("echo.sock"))),
                                List.of()))) {
            List<SocketChannel> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    clients.add(SocketChannel.open(UnixDomainSocketAddress.of(dpu.resolve("echo.sock"))));
                }
                AtomicInteger echoed = new AtomicInteger();
                List<Future<?>> all = new ArrayList<>();
                try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < clients.size(); i++) {
                        SocketChannel client = clients.get(i);
                        String message = "connection " + i;
                        all.add(threads.submit(() -> {
                            client.write(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
                            ByteBuffer back = ByteBuffer.allocate(message.length());
                            while (back.hasRemaining() && client.read(back) >= 0) {}
                            if (new String(back.array(), StandardCharsets.UTF_8).equals(message)) {
                                echoed.incrementAndGet();
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : all) {
                        f.get(60, TimeUnit.SECONDS);
                    }
                }
                assertThat(echoed).hasValue(1000);
                assertThat(pair.dpu.activeConnections()).isEqualTo(1000);
            } finally {
                for (SocketChannel client : clients) {
                    client.close();
                }
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                            pair.dpu.activeConnections())
                    .isZero());
        }
    }

    @Test
    void aLostPeerEndsTheConnectionInBoundedTime() throws Exception {
        Path host = dir("host");
        Path dpu = dir("dpu");
        try (ServerSocketChannel echo = EchoServers.stream(host.resolve("echo.sock"))) {
            IpcPair pair = new IpcPair(
                    work,
                    IpcPair.config("host-1", List.of(), List.of(host.toString())),
                    IpcPair.config(
                            "dpu-1", List.of(stream(dpu.resolve("echo.sock"), host.resolve("echo.sock"))), List.of()));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(dpu.resolve("echo.sock")))) {
                client.write(ByteBuffer.wrap(new byte[] {1}));
                ByteBuffer one = ByteBuffer.allocate(1);
                client.read(one);
                long start = System.nanoTime();
                pair.host.close();
                pair.server.close(); // the host side goes away mid-connection
                ByteBuffer rest = ByteBuffer.allocate(16);
                int read;
                try {
                    read = client.read(rest);
                } catch (IOException e) {
                    read = -1; // reset: also an end
                }
                assertThat(read).isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            } finally {
                pair.close();
            }
        }
    }

    @Test
    void aGibibyteToASlowReaderArrivesWholeWithBoundedBuffering() throws Exception {
        Path host = dir("host");
        Path dpu = dir("dpu");
        long total = 1L << 30;
        try (ServerSocketChannel sink = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            sink.bind(UnixDomainSocketAddress.of(host.resolve("sink.sock")));
            try (IpcPair pair = new IpcPair(
                    work,
                    IpcPair.config("host-1", List.of(), List.of(host.toString())),
                    IpcPair.config(
                            "dpu-1",
                            List.of(stream(dpu.resolve("sink.sock"), host.resolve("sink.sock"))),
                            List.of()))) {
                AtomicLong written = new AtomicLong();
                AtomicLong read = new AtomicLong();
                var writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try (SocketChannel client =
                            SocketChannel.open(UnixDomainSocketAddress.of(dpu.resolve("sink.sock")))) {
                        ByteBuffer block = ByteBuffer.allocateDirect(256 * 1024);
                        while (written.get() < total) {
                            block.clear().limit((int) Math.min(block.capacity(), total - written.get()));
                            written.addAndGet(client.write(block));
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                try (SocketChannel server = sink.accept()) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
                    // The reader stalls: the writer must stop after a bounded amount, not fill memory.
                    Thread.sleep(2000);
                    long buffered = written.get();
                    assertThat(buffered)
                            .as("bytes accepted from the writer while nobody reads")
                            .isLessThan(32L << 20);
                    // Then it reads slowly at first, then as fast as it can, to the end.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                    for (int n; (n = server.read(buffer.clear())) >= 0; ) {
                        if (read.addAndGet(n) < (4L << 20)) {
                            Thread.sleep(1);
                        }
                        assertThat(System.nanoTime())
                                .as("the stream finishes in time")
                                .isLessThan(deadline);
                    }
                }
                writer.get(10, TimeUnit.SECONDS);
                assertThat(read).hasValue(total);
            }
        }
    }

    private static String roundTrip(Path socket, String message) throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
            client.shutdownOutput();
            ByteBuffer back = ByteBuffer.allocate(1024);
            while (client.read(back) >= 0) {
                // until the echo's own half-close arrives: end of file
            }
            return new String(back.array(), 0, back.position(), StandardCharsets.UTF_8);
        }
    }

    private static int errnoOf(IpcPair pair, Path target, int type) {
        try {
            int fd = pair.dpu
                    .connectToPeer(SocketName.path(target.toString()), type)
                    .get(10, TimeUnit.SECONDS);
            FileCalls.close(fd);
            return 0;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause() instanceof ErrnoException errno ? errno.errno() : -1;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private interface Call {
        long call();
    }

    private static long retry(Call call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long n = call.call();
            if (n != -Errno.EAGAIN || System.nanoTime() > deadline) {
                return n;
            }
            Thread.sleep(1);
        }
    }
}
