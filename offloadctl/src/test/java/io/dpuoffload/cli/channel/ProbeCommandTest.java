package io.dpuoffload.cli.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.fs.wire.FsFeature;
import io.dpuoffload.pki.TlsFiles;
import io.dpuoffload.transport.Feature;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.diagnostics.Diagnostics;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.TlsContexts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code channel probe} (and the demo's impostor) against an in-process host on loopback or a Unix socket. */
class ProbeCommandTest {

    @TempDir
    Path temp;

    private DemoPki pki;
    private final List<OffloadServer> servers = new ArrayList<>();

    @BeforeEach
    void certificates() {
        pki = DemoPki.create(temp.resolve("pki"));
    }

    @AfterEach
    void stopServers() {
        servers.forEach(OffloadServer::close);
    }

    @Test
    void overMutualTlsItShowsWhoAnsweredWhatWasAgreedAndTheNumbers() throws Exception {
        Endpoint host = startHost(new Endpoint.Tcp("127.0.0.1", 0), UnaryOperator.identity());

        Cli run = probe(host, "--pki", pki.directory().toString(), "--expect-peer", DemoPki.HOST, "--warm-up", "1");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.out())
                .contains("Connected to node host-1 (pair demo) at " + host + " over mutual TLS 1.3")
                .contains("this side:  node dpu-1")
                .contains("agreed:     protocol version 1, features [DIAGNOSTICS, NOTICES]")
                .containsPattern("Warm-up: 1 s, [0-9,]+ round trips and [0-9.]+ [KMG]iB streamed, not counted")
                .contains("Echo: 20 round trips of 64 bytes, one after another, each answer checked")
                .containsPattern("p50 [0-9.]+ [nµm]?s, p99 ")
                .contains("Stream: sent 1.00 MiB on one stream; the host's sink counted all 1,048,576 bytes")
                .containsPattern("[0-9.]+ MB/s \\([0-9.]+ Gbit/s\\)");
    }

    @Test
    void overAUnixSocketItRunsWithoutTlsAndSaysSo() throws Exception {
        Endpoint host = startHost(new Endpoint.Unix(temp.resolve("channel.sock")), b -> b.tls(null));

        Cli run = probe(host);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("Connected to local uid:0", "over a Unix socket without TLS");
    }

    @Test
    void aHostThatRefusesThisNodeIsExitCode4() throws Exception {
        Endpoint host = startHost(new Endpoint.Tcp("127.0.0.1", 0), b -> b.expectPeer("dpu-9"));

        Cli run = probe(host, "--pki", pki.directory().toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PEER_UNAVAILABLE);
        assertThat(run.err()).contains("node dpu-1 (pair demo) is not allowed to connect to host-1");
    }

    @Test
    void aHostThatIsNotTheExpectedNodeIsExitCode4() throws Exception {
        Endpoint host = startHost(new Endpoint.Tcp("127.0.0.1", 0), UnaryOperator.identity());

        Cli run = probe(host, "--pki", pki.directory().toString(), "--expect-peer", "host-9");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PEER_UNAVAILABLE);
        assertThat(run.err()).contains("node host-1 (pair demo), which this side is not configured to talk to");
    }

    @Test
    void nobodyListeningIsExitCode4() {
        Cli run = probe(new Endpoint.Unix(temp.resolve("nobody.sock")));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PEER_UNAVAILABLE);
        assertThat(run.err()).contains("cannot connect to unix:" + temp.resolve("nobody.sock"));
    }

    @Test
    void aHostWithoutDiagnosticsCannotBeMeasured() throws Exception {
        Endpoint host = startHost(
                new Endpoint.Unix(temp.resolve("plain.sock")),
                b -> b.tls(null).features(Set.of(FsFeature.FILESYSTEM)).services(Services.NONE));

        Cli run = probe(host);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(run.err())
                .contains("does not offer the DIAGNOSTICS services", "run `offloadctl channel serve` there");
    }

    @Test
    void theImpostorsCertificateIsRefusedByTheHost() throws Exception {
        Endpoint host = startHost(new Endpoint.Tcp("127.0.0.1", 0), UnaryOperator.identity());

        Cli run = Cli.run(
                "channel",
                "impostor",
                "--server",
                host.toString(),
                "--trust",
                pki.caCertificate().toString(),
                "--certificate",
                pki.impostorCertificate().toString(),
                "--key",
                pki.impostorKey().toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PEER_UNAVAILABLE);
        assertThat(run.err()).contains("handshake with").contains("certificate");
    }

    private Cli probe(Endpoint host, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "channel",
                "probe",
                "--server",
                host.toString(),
                "--node",
                DemoPki.DPU,
                "--requests",
                "20",
                "--bytes",
                "1MiB"));
        if (!List.of(extra).contains("--warm-up")) {
            args.addAll(List.of("--warm-up", "0"));
        }
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private Endpoint startHost(Endpoint endpoint, UnaryOperator<TransportConfig.Builder> adjust) throws Exception {
        var material = TlsFiles.inDirectory(pki.directory(), DemoPki.HOST).load();
        var config = TransportConfig.builder(DemoPki.HOST)
                .tls(TlsContexts.forServer(material))
                .features(Set.of(Feature.DIAGNOSTICS))
                .services(Diagnostics.services())
                .meters(new SimpleMeterRegistry());
        OffloadServer server =
                OffloadServer.start(endpoint, adjust.apply(config).build(), connection -> {});
        servers.add(server);
        return server.boundEndpoint();
    }
}
