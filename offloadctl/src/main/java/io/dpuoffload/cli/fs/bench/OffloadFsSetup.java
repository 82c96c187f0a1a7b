package io.dpuoffload.cli.fs.bench;

import io.dpuoffload.topology.Topology;
import io.dpuoffload.transport.tls.CertificateAuthority;
import io.dpuoffload.transport.tls.NodeCredentials;
import io.dpuoffload.transport.tls.PemFiles;
import io.dpuoffload.transport.tls.TlsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The offload-fs side of the comparison, as deployed: throwaway certificates for mutual TLS, and a server
 * configuration with two exports — the data directory with {@code cache: ttl} (what a data export uses), and the host's
 * /proc as a proc view.
 */
final class OffloadFsSetup {

    static final String HOST = "host-1";
    static final String DPU = "dpu-1";
    static final int PORT = 7100;
    static final String DATA_EXPORT = "data";
    static final String PROC_EXPORT = "proc";

    /** A run takes minutes; a day is plenty, and the keys are deleted with the run anyway. */
    private static final Duration VALIDITY = Duration.ofDays(1);

    /** So a node whose clock lags a little does not see the certificates as not yet valid. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private OffloadFsSetup() {}

    static String endpoint() {
        return "tcp://" + Topology.HOST_ADDRESS + ":" + PORT;
    }

    static void prepare(BenchLayout layout) {
        writePki(layout.pki());
        try {
            Files.writeString(layout.fsConfig(), config(layout));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + layout.fsConfig() + ": " + e.getMessage(), e);
        }
    }

    /** The default TTL (1 s), as sshfs's kernel attribute and entry timeouts. */
    static String config(BenchLayout layout) {
        return """
                # offloadctl fs bench: what `fs serve` runs with on the host node
                node: %s
                listen: %s
                pki: %s
                peers: [%s]
                exports:
                  - name: %s
                    path: %s
                    cache: ttl
                    ttl: 1s
                    allow:
                      all: [/]
                  - name: %s
                    path: /proc
                    procView: true
                    readOnly: true
                    allow:
                      all: [/]
                """.formatted(HOST, endpoint(), layout.pki(), DPU, DATA_EXPORT, layout.export(), PROC_EXPORT);
    }

    /** {@code fs mount} of {@code export} on {@code mountpoint}, as dpu-1 accepting only host-1. */
    static List<String> mountArgs(BenchLayout layout, String export, Path mountpoint, Path localProc) {
        return List.of(
                "fs",
                "mount",
                "--server",
                endpoint(),
                "--export",
                export,
                "--node",
                DPU,
                "--pki",
                layout.pki().toString(),
                "--expect-peer",
                HOST,
                "--local-proc",
                localProc.toString(),
                mountpoint.toString());
    }

    private static void writePki(Path dir) {
        Instant from = Instant.now().minus(BACKDATE);
        Instant until = from.plus(VALIDITY);
        CertificateAuthority ca = CertificateAuthority.create("offloadctl fs bench CA", from, until.plus(BACKDATE));
        PemFiles.writeCertificate(dir.resolve(TlsFiles.CA_CERTIFICATE_FILE), ca.certificate(), false);
        for (String node : List.of(HOST, DPU)) {
            NodeCredentials credentials = ca.issueNode(node, Optional.empty(), from, until);
            PemFiles.writeCertificate(dir.resolve(node + ".crt"), credentials.certificate(), false);
            PemFiles.writePrivateKey(dir.resolve(node + ".key"), credentials.privateKey(), false);
        }
    }
}
