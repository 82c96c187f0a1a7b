package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.ThrowawayPki;
import io.dpuoffload.topology.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The offload-fs side of the comparison, as deployed: throwaway certificates for mutual TLS, and a server
 * configuration with two exports — the data directory with {@code cache: ttl} (what a data export uses), and the host's
 * /proc as a proc view.
 */
final class OffloadFsSetup {

    static final String HOST = ThrowawayPki.HOST;
    static final String DPU = ThrowawayPki.DPU;
    static final int PORT = 7100;
    static final String DATA_EXPORT = "data";
    static final String PROC_EXPORT = "proc";

    private OffloadFsSetup() {}

    static String endpoint() {
        return "tcp://" + Topology.HOST_ADDRESS + ":" + PORT;
    }

    static void prepare(BenchLayout layout) {
        ThrowawayPki.write(layout.pki(), "offload-bench fs CA");
        try {
            Files.writeString(layout.fsConfig(), config(layout));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + layout.fsConfig() + ": " + e.getMessage(), e);
        }
    }

    /** The default TTL (1 s), as sshfs's kernel attribute and entry timeouts. */
    static String config(BenchLayout layout) {
        return """
                # offload-bench fs: what `fs serve` runs with on the host node
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
}
