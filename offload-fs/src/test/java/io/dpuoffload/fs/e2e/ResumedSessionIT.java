package io.dpuoffload.fs.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.allowlist.PathPrefixes;
import io.dpuoffload.fs.client.FsMount;
import io.dpuoffload.fs.client.FsMountOptions;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.config.FsServerConfig;
import io.dpuoffload.fs.host.FsServer;
import io.dpuoffload.fs.wire.Resumption;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.TestPki;
import io.dpuoffload.transport.CuttableLink;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.RemoteException;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.TlsContexts;
import io.netty.buffer.ByteBufAllocator;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mount through a link that is cut (both ends reset, as when a switch port flaps or a middlebox
 * drops the connection) keeps its session on the host: its open files stay open, a fifo read that
 * waited across the cut gets the bytes the host read for it, and nothing the host did is done
 * twice. A session the host did not keep is attached anew, and what was open in it fails instead of
 * reaching another file. Over mutual TLS, as between a real host and DPU.
 */
class ResumedSessionIT {
    private static final CertificateAuthority CA = TestPki.newCa("fs resume test CA");
    private static final Duration PROMPTLY = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void anOpenFileAndAFifoReadWaitingAcrossACutLiveOnInTheSameSession() throws Exception {
        try (Pair pair = new Pair(work, FsServer.DEFAULT_RESUME_WITHIN)) {
            FileChannel notes = pair.openWithBefore("notes");
            Path hostFifo = pair.mkfifo("log");
            CompletableFuture<String> read = StreamReads.readToEnd(pair.mountpoint.resolve("log"));
            try (FileOutputStream writer = new FileOutputStream(hostFifo.toFile())) {
                Thread.sleep(500); // the DPU's read now waits on the host

                pair.link.reset();
                // The host's read takes these bytes while the DPU has no connection: its answer is lost
                // with the connection, and must reach the reader all the same.
                writer.write("hello".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(read.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isEqualTo("hello");

            notes.write(ByteBuffer.wrap(" after".getBytes(StandardCharsets.UTF_8)));
            notes.close();
            assertThat(Files.readString(pair.exported.resolve("notes")))
                    .as("the file opened before the cut is still open after it")
                    .isEqualTo("before after");
            assertThat(pair.fs.sessionCount())
                    .as("one session: resumed, not attached anew")
                    .isEqualTo(1);
        }
    }

    @Test
    void anOpenDoneWhileTheLinkWasDownIsNotDoneTwiceNorAreCreatesBetweenCuts() throws Exception {
        try (Pair pair = new Pair(work, FsServer.DEFAULT_RESUME_WITHIN)) {
            Path hostFifo = pair.mkfifo("gate");
            // Each open of the fifo waits on the host for a writer; the cut comes while it waits, and
            // the open completes on the host while the DPU has no connection.
            CompletableFuture<String> opened = StreamReads.readToEnd(pair.mountpoint.resolve("gate"));
            Thread.sleep(500);
            pair.link.reset();
            try (FileOutputStream writer = new FileOutputStream(hostFifo.toFile())) {
                writer.write("x".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(opened.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isEqualTo("x");

            // An exclusive create across another cut: exactly one file, and the caller told it made it.
            for (int i = 0; i < 20; i++) {
                Path file = pair.mountpoint.resolve("made-" + i);
                if (i % 5 == 0) {
                    pair.link.reset();
                }
                Files.write(file, new byte[] {1}, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                assertThat(Files.size(pair.exported.resolve("made-" + i))).isEqualTo(1);
            }
            assertThat(pair.fs.sessionCount()).isEqualTo(1);
        }
    }

    @Test
    void aSessionTheHostDidNotKeepIsAttachedAnewAndItsOpenFilesFail() throws Exception {
        try (Pair pair = new Pair(work, Duration.ZERO)) {
            FileChannel notes = pair.openWithBefore("notes");
            pair.link.reset();
            assertThat(pair.awaitReconnect()).isTrue();
            assertThatThrownBy(() -> notes.write(ByteBuffer.wrap("lost".getBytes(StandardCharsets.UTF_8))))
                    .isInstanceOf(IOException.class);
            notes.close();
            Files.writeString(pair.mountpoint.resolve("fresh"), "works");
            assertThat(Files.readString(pair.exported.resolve("fresh"))).isEqualTo("works");
            assertThat(Files.readString(pair.exported.resolve("notes"))).isEqualTo("before");
        }
    }

    @Test
    void anotherDpuCannotTakeASessionOver() throws Exception {
        try (Pair pair = new Pair(work, FsServer.DEFAULT_RESUME_WITHIN)) {
            Files.writeString(pair.mountpoint.resolve("mine"), "dpu-1's");
            OffloadConnection intruder = OffloadClient.connectOnce(
                            new Endpoint.Tcp("127.0.0.1", pair.link.port()), dpu("dpu-2"))
                    .get(10, TimeUnit.SECONDS);
            try {
                int session = 1; // the first and only session of this server
                var resume = intruder.request(
                        Resumption.RESUME, Resumption.resumeRequest(ByteBufAllocator.DEFAULT, session, "data"));
                assertThatThrownBy(() -> resume.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(RemoteException.class)
                        .satisfies(e -> assertThat(((RemoteException) e).code()).isEqualTo(Errno.ESTALE));
            } finally {
                intruder.close();
            }
            assertThat(Files.readString(pair.mountpoint.resolve("mine"))).isEqualTo("dpu-1's");
        }
    }

    private static TransportConfig dpu(String name) {
        return TransportConfig.builder(name)
                .tls(TlsContexts.forClient(TestPki.material(CA, TestPki.node(CA, name, "pair-1"))))
                .build();
    }

    /** A host export and a DPU mount of it, over mutual TLS through a link the test can cut. */
    private static final class Pair implements AutoCloseable {
        final Path exported;
        final Path mountpoint;
        final FsServer fs;
        final OffloadServer server;
        final CuttableLink link;
        final FsMount mount;

        Pair(Path work, Duration resumeWithin) throws Exception {
            exported = Files.createDirectories(work.resolve("exported"));
            mountpoint = Files.createDirectories(work.resolve("mnt"));
            ExportConfig export = new ExportConfig(
                            "data",
                            exported,
                            false,
                            CachePolicy.NONE,
                            Duration.ofSeconds(1),
                            false,
                            Allowlist.allowAll())
                    .withSharedFifos(new PathPrefixes(List.of("/")));
            fs = new FsServer(
                    new FsServerConfig("host-1", "tcp:127.0.0.1:0", work, Set.of(), List.of(export), 64), resumeWithin);
            server = OffloadServer.start(
                    new Endpoint.Tcp("127.0.0.1", 0),
                    TransportConfig.builder("host-1")
                            .tls(TlsContexts.forServer(TestPki.material(CA, TestPki.node(CA, "host-1", "pair-1"))))
                            .services(fs.register(io.dpuoffload.transport.Services.builder())
                                    .build())
                            .build(),
                    c -> {});
            link = new CuttableLink(((Endpoint.Tcp) server.boundEndpoint()).port());
            mount = FsMount.mount(
                    new Endpoint.Tcp("127.0.0.1", link.port()),
                    dpu("dpu-1"),
                    "data",
                    mountpoint,
                    FsMountOptions.defaults().withOpTimeout(PROMPTLY));
        }

        /** A new file on the mount, open for reading and writing, with "before" written in it. */
        FileChannel openWithBefore(String name) throws IOException {
            FileChannel file = FileChannel.open(
                    mountpoint.resolve(name),
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            file.write(ByteBuffer.wrap("before".getBytes(StandardCharsets.UTF_8)));
            return file;
        }

        Path mkfifo(String name) throws Exception {
            Path fifo = exported.resolve(name);
            Process made =
                    new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
            assertThat(made.waitFor()).isZero();
            return fifo;
        }

        /** Whether the DPU has connected again within the test's patience. */
        boolean awaitReconnect() throws InterruptedException {
            long deadline = System.nanoTime() + PROMPTLY.toNanos();
            while (System.nanoTime() < deadline) {
                if (!server.connections().isEmpty() && mount.connected()) {
                    Thread.sleep(200); // and attached: the attach follows the connection at once
                    return true;
                }
                Thread.sleep(50);
            }
            return false;
        }

        @Override
        public void close() throws Exception {
            mount.close();
            link.close();
            server.close();
            fs.close();
        }
    }
}
