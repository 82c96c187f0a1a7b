package io.dpuoffload.e2e.exec;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.e2e.TestPki;
import io.dpuoffload.exec.gateway.RexecBinary;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * offload-exec as the tests deploy it: certificates, both sides' configurations and rexec in a work
 * directory; `exec serve` on the host node; `exec gateway` on the DPU node, running a program under
 * interception when one is given.
 */
record ExecNodes(Path work, Path hostConfig, Path dpuConfig, Path rexec, Path socket) {
    static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");
    static final Duration START = Duration.ofSeconds(60);
    static final String ENDPOINT = "tcp://198.51.100.1:7300";

    /**
     * Writes everything into {@code work}; {@code hostLines} add to the host's configuration (its
     * {@code allow:} at least), {@code dpuLines} to the DPU's.
     */
    static ExecNodes prepare(Path work, String hostLines, String dpuLines) throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pki = TestPki.create(work.resolve("pki"));
        Path host = Files.writeString(work.resolve("host.yaml"), """
                node: host-1
                listen: %s
                pki: %s
                peers: [dpu-1]
                %s
                """.formatted(ENDPOINT, pki, hostLines));
        Path dpu = Files.writeString(work.resolve("dpu.yaml"), """
                node: dpu-1
                pki: %s
                peers: [host-1]
                %s
                """.formatted(pki, dpuLines));
        Path rexec = work.resolve("rexec");
        RexecBinary.writeClient(rexec);
        return new ExecNodes(work, host, dpu, rexec, work.resolve("exec.sock"));
    }

    /** `exec serve` on the host node, once it is ready. */
    NodeProcess startHost(Topology topology) {
        NodeProcess host = topology.host()
                .startJava(
                        Offloadctl.class.getName(), JVM, List.of("exec", "serve", "--config", hostConfig.toString()));
        host.awaitLine(Pattern.compile("READY .*"), START);
        return host;
    }

    /** `exec gateway` on the DPU node (running {@code program} if one is given), once it is ready. */
    NodeProcess startGateway(Topology topology, String... program) {
        List<String> args = new ArrayList<>(List.of(
                "exec",
                "gateway",
                "--server",
                ENDPOINT,
                "--config",
                dpuConfig.toString(),
                "--socket",
                socket.toString()));
        if (program.length > 0) {
            args.add("--");
            args.addAll(List.of(program));
        }
        NodeProcess gateway = topology.dpu().startJava(Offloadctl.class.getName(), JVM, args);
        gateway.awaitLine(Pattern.compile("READY .*"), START);
        return gateway;
    }
}
