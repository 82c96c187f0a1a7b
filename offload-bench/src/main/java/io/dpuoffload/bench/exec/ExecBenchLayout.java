package io.dpuoffload.bench.exec;

import io.dpuoffload.bench.ThrowawayPki;
import io.dpuoffload.bench.fs.SshSetup;
import io.dpuoffload.exec.gateway.RexecBinary;
import io.dpuoffload.topology.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The exec benchmark's files: certificates, both sides' configurations, sshd's keys, rexec. */
record ExecBenchLayout(Path root) {
    static final String PREFIX = "offload-bench-exec-";
    static final int EXEC_PORT = 7300;

    /** The host programs the benchmark runs, and so the host's whole allowlist. */
    static final List<String> PROGRAMS = List.of("/bin/true", "/usr/bin/head");

    static ExecBenchLayout prepare(Path root) {
        ExecBenchLayout layout = new ExecBenchLayout(root);
        try {
            Files.createDirectories(layout.pki());
            Files.createDirectories(layout.ssh());
            ThrowawayPki.write(layout.pki(), "offload-bench exec CA");
            Files.writeString(layout.hostConfig(), """
                    # offload-bench exec: the host node's exec serve
                    node: %s
                    listen: %s
                    pki: %s
                    peers: [%s]
                    allow: [%s]
                    """.formatted(
                    ThrowawayPki.HOST, endpoint(), layout.pki(), ThrowawayPki.DPU, String.join(", ", PROGRAMS)));
            Files.writeString(layout.dpuConfig(), """
                    # offload-bench exec: the DPU node's exec gateway
                    node: %s
                    pki: %s
                    peers: [%s]
                    """.formatted(ThrowawayPki.DPU, layout.pki(), ThrowawayPki.HOST));
            SshSetup.prepare(layout.ssh());
            RexecBinary.writeClient(layout.rexec());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + root + ": " + e.getMessage(), e);
        }
        return layout;
    }

    static String endpoint() {
        return "tcp://" + Topology.HOST_ADDRESS + ":" + EXEC_PORT;
    }

    Path pki() {
        return root.resolve("pki");
    }

    Path ssh() {
        return root.resolve("ssh");
    }

    Path hostConfig() {
        return root.resolve("host.yaml");
    }

    Path dpuConfig() {
        return root.resolve("dpu.yaml");
    }

    Path rexec() {
        return root.resolve("rexec");
    }

    Path gatewaySocket() {
        return root.resolve("exec.sock");
    }

    Path sshControl() {
        return root.resolve("ssh-control");
    }
}
