package io.dpuoffload.bench.ipc;

import io.dpuoffload.bench.ThrowawayPki;
import io.dpuoffload.cli.WorkDirectory;
import io.dpuoffload.topology.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What lives in the benchmark's {@link WorkDirectory}: certificates, the two offload-ipc configurations, and the
 * sockets. {@code offload-bench ipc} and its hidden node sides agree on it by its root alone.
 */
record IpcBenchLayout(Path root) {

    static final String PREFIX = "offload-bench-ipc-";

    /** offload-ipc's channel, on the host node. */
    static final int IPC_PORT = 7200;

    /** The host's socat, on the host node. */
    static final int SOCAT_PORT = 7300;

    /** Makes the directories, certificates and configurations below {@code root} (a fresh {@link WorkDirectory}). */
    static IpcBenchLayout prepare(Path root) {
        IpcBenchLayout layout = new IpcBenchLayout(root);
        try {
            for (Path dir : List.of(layout.pki(), layout.hostDirectory(), layout.dpuDirectory())) {
                Files.createDirectories(dir);
            }
            ThrowawayPki.write(layout.pki(), "offload-bench ipc CA");
            Files.writeString(layout.hostConfig(), layout.hostYaml());
            Files.writeString(layout.dpuConfig(), layout.dpuYaml());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + root + ": " + e.getMessage(), e);
        }
        return layout;
    }

    Path pki() {
        return root.resolve("pki");
    }

    /** Sockets of the host node; the only directory the host's offload-ipc allows. */
    Path hostDirectory() {
        return root.resolve("host");
    }

    Path dpuDirectory() {
        return root.resolve("dpu");
    }

    /** The host's sink and echo server, which socat and offload-ipc both reach. */
    Path hostSink() {
        return hostDirectory().resolve("sink.sock");
    }

    /** The DPU's own sink and echo server: the direct column. */
    Path dpuSink() {
        return dpuDirectory().resolve("sink.sock");
    }

    /** The DPU socat's listening socket, carried to {@link #hostSink()} over plain TCP. */
    Path socatSocket() {
        return dpuDirectory().resolve("socat.sock");
    }

    /** The DPU's offload-ipc forward, carried to {@link #hostSink()} over mutual TLS. */
    Path forwardSocket() {
        return dpuDirectory().resolve("offload-ipc.sock");
    }

    /** Where the DPU-side client connects for each bridge. */
    Path socketFor(Bridge bridge) {
        return switch (bridge) {
            case DIRECT -> dpuSink();
            case SOCAT -> socatSocket();
            case OFFLOAD_IPC -> forwardSocket();
        };
    }

    Path hostConfig() {
        return root.resolve("host.yaml");
    }

    Path dpuConfig() {
        return root.resolve("dpu.yaml");
    }

    static String ipcEndpoint() {
        return "tcp://" + Topology.HOST_ADDRESS + ":" + IPC_PORT;
    }

    private String hostYaml() {
        return """
                # offload-bench ipc: what `ipc serve` runs with on the host node
                node: %s
                listen: %s
                pki: %s
                peers: [%s]
                allow: [%s]
                """.formatted(ThrowawayPki.HOST, ipcEndpoint(), pki(), ThrowawayPki.DPU, hostDirectory());
    }

    private String dpuYaml() {
        return """
                # offload-bench ipc: what `ipc connect` runs with on the DPU node
                node: %s
                pki: %s
                peers: [%s]
                forwards:
                  - listen: %s
                    to: %s
                    type: stream
                """.formatted(ThrowawayPki.DPU, pki(), ThrowawayPki.HOST, forwardSocket(), hostSink());
    }
}
