package io.dpuoffload.e2e.containerd;

import static org.awaitility.Awaitility.await;

import io.dpuoffload.api.status.StatusFile;
import io.dpuoffload.api.status.StatusText;
import io.dpuoffload.cli.demo.ContainerdSandbox;
import io.dpuoffload.cli.demo.LibvirtSandbox;
import io.dpuoffload.cli.demo.OciImage;
import io.dpuoffload.e2e.AgentProcesses;
import io.dpuoffload.e2e.TestPki;
import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A host and a DPU agent with the built-in containerd profile in the test topology, each in a
 * {@link ContainerdSandbox}: stock containerd in the DPU's offload root, healthy. The DPU is a
 * "machine" whose init outlives its agent (as systemd does on a real DPU), so the agent can stop
 * and start again while the containers run on the host. Closing keeps both agents' logs in
 * target/ and removes everything.
 */
final class OffloadedContainerd implements AutoCloseable {
    static final Duration START = Duration.ofSeconds(120);
    static final Duration COMMAND = Duration.ofSeconds(60);

    final Path work;
    final Path root;
    final NodeProcess host;
    final NodeProcess dpuMachine;
    private final Path pair;
    private final String logName;
    private NodeProcess dpu;
    /** The output of DPU agents that ended, before the current one's. */
    private final StringBuilder earlierDpuAgents = new StringBuilder();

    private OffloadedContainerd(Path work, Path pair, NodeProcess host, NodeProcess dpuMachine, String logName) {
        this.work = work;
        this.root = work.resolve("root");
        this.pair = pair;
        this.host = host;
        this.dpuMachine = dpuMachine;
        this.logName = logName;
    }

    /** Both agents up and containerd healthy; {@code logName} names the logs kept in target/. */
    static OffloadedContainerd start(Topology topology, String logName) throws Exception {
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "containerd-it-");
        ContainerdSandbox sandbox = ContainerdSandbox.create(work);
        Path pair = Files.writeString(work.resolve("pair.yaml"), """
                pair: containerd-it
                host: {node: host-1, endpoint: tcp://198.51.100.1:7400, state: %s}
                dpu: {node: dpu-1, root: %s, state: %s}
                pki: %s
                profiles: [containerd]
                """.formatted(
                        work.resolve("host-state"),
                        work.resolve("root"),
                        work.resolve("state"),
                        TestPki.create(work.resolve("pki"))));
        NodeProcess host = topology.host()
                .start(sandbox.onHost(AgentProcesses.standalone("host", pair)), AgentProcesses.options());
        host.awaitLine(Pattern.compile("READY .*"), START);
        NodeProcess dpuMachine = topology.dpu().start(sandbox.onDpu(LibvirtSandbox.DPU_INIT));
        OffloadedContainerd pairOfAgents = new OffloadedContainerd(work, pair, host, dpuMachine, logName);
        pairOfAgents.startDpuAgent();
        return pairOfAgents;
    }

    NodeProcess dpu() {
        return dpu;
    }

    /** The DPU agent, started beside the DPU machine's init; returns once containerd is healthy. */
    void startDpuAgent() {
        dpu = dpuMachine.startInside(
                AgentProcesses.standalone("dpu", pair), AgentProcesses.options().withStopGrace(Duration.ofSeconds(60)));
        dpu.awaitLine(Pattern.compile("READY .*"), START);
        awaitHealthy();
    }

    /** Stops the DPU agent (SIGTERM: containerd stops, the root's mounts go); its output is kept. */
    String stopDpuAgent() {
        dpu.stop();
        String output = dpu.stdout() + dpu.stderr();
        earlierDpuAgents.append(output);
        return output;
    }

    /** Kills the DPU agent (SIGKILL, a crash: no teardown; containerd gets SIGTERM as it dies). */
    void crashDpuAgent() {
        ProcessHandle.of(dpu.pid()).orElseThrow().destroyForcibly();
        dpu.waitFor(COMMAND);
        earlierDpuAgents.append(dpu.stdout()).append(dpu.stderr());
    }

    /** The agent's health check (containerd's own API, through the root's ctr) says containerd answers. */
    void awaitHealthy() {
        await().atMost(START).pollInterval(Duration.ofMillis(200)).until(() -> status().matches(
                        "(?s).*daemon containerd .*healthy: containerd .*"));
    }

    /** Whether a stat of each of the profile's shares in the root is answered (by the host). */
    boolean sharesAnswer() {
        List<String> command = new java.util.ArrayList<>(List.of("stat", "-c", "%n"));
        io.dpuoffload.api.yaml.SpecFiles.profile("containerd").shares().stream()
                .map(share -> io.dpuoffload.agent.plan.MountPlan.inRoot(root, share.path())
                        .toString())
                .forEach(command::add);
        return dpu.runInside(COMMAND, command.toArray(String[]::new)).exitCode() == 0;
    }

    /** The DPU agent's status as {@code offloadctl status} prints it. */
    String status() throws IOException {
        return String.join("\n", StatusText.lines(StatusFile.read(work.resolve("state"))));
    }

    /** Where {@code path}, as containerd in the root sees it under /run, is on this machine's disk. */
    Path runFile(String path) {
        if (!path.startsWith("/run/")) {
            throw new IllegalArgumentException(path + " is not under the root's /run");
        }
        return work.resolve("state").resolve(path.substring(1));
    }

    /** The busybox image (and any others), built here and imported through the root's ctr from the DPU's disk. */
    void importImages(String namespace, OciImage... images) throws Exception {
        Path dir = Files.createDirectories(work.resolve("dpu/var-lib/dpuo-images"));
        for (OciImage image : images) {
            Path tar = image.writeTo(dir);
            ctrIn(namespace, "images", "import", "/var/lib/dpuo-images/" + tar.getFileName());
        }
    }

    /** ctr in the root, in the sandbox's containerd namespace; its output, or a failure naming why. */
    String ctr(String... args) {
        return ctrIn(ContainerdSandbox.NAMESPACE, args);
    }

    String ctrIn(String namespace, String... args) {
        CommandResult result = ctrResultIn(namespace, args);
        if (result.exitCode() != 0) {
            throw new AssertionError("ctr " + String.join(" ", args) + ": " + result);
        }
        return result.stdout();
    }

    CommandResult ctrResult(String... args) {
        return ctrResultIn(ContainerdSandbox.NAMESPACE, args);
    }

    CommandResult ctrResultIn(String namespace, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("--namespace", namespace));
        command.addAll(List.of(args));
        return ContainerdSandbox.ctrInRoot(dpu, root, COMMAND, command);
    }

    @Override
    public void close() throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "containerd-it-logs"));
        Files.writeString(logs.resolve(logName + "-host.log"), host.stdout() + host.stderr());
        Files.writeString(
                logs.resolve(logName + "-dpu.log"),
                earlierDpuAgents + (dpu == null ? "" : dpu.stdout() + dpu.stderr()));
        if (dpu != null) {
            dpu.stop();
        }
        dpuMachine.stop();
        host.stop();
        io.dpuoffload.cli.WorkDirectory.delete(work);
    }
}
