package io.dpuoffload.e2e.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.cli.demo.ContainerdSandbox;
import io.dpuoffload.cli.demo.OciImage;
import io.dpuoffload.e2e.TestPki;
import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.Node;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.StartOptions;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Debian's stock containerd runs in the DPU agent's offload root, built from the built-in
 * containerd profile, and the containers it runs are on the host: their processes, their shims
 * and runc, their snapshots and bundles. Driven with containerd's own {@code ctr} in the root, as
 * an operator on the DPU would.
 */
@ExtendWith(TopologyExtension.class)
class ContainerdOffloadIT {
    private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final String IMAGE = OciImage.BUSYBOX.name();

    private Path work;
    private NodeProcess host;
    private NodeProcess dpuMachine;
    private NodeProcess dpu;
    private Path pair;
    /** The output of DPU agents that ended, before the current one's. */
    private final StringBuilder earlierDpuAgents = new StringBuilder();

    @BeforeAll
    static void containerdIsInstalled() throws Exception {
        ContainerdPrerequisites.require("ContainerdOffloadIT");
    }

    @AfterEach
    void keepLogsAndRemoveWork() throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "containerd-it-logs"));
        if (host != null) {
            Files.writeString(logs.resolve("host.log"), host.stdout() + host.stderr());
        }
        if (dpu != null) {
            Files.writeString(logs.resolve("dpu.log"), earlierDpuAgents + dpu.stdout() + dpu.stderr());
        }
        if (work != null) {
            io.dpuoffload.cli.WorkDirectory.delete(work);
        }
        assertThat(ContainerdSandbox.removeNamespaceCgroups())
                .as("cgroups of the test's containers still in use")
                .isEmpty();
    }

    @Test
    void stockContainerdOnTheDpuRunsContainersOnTheHost(Topology topology) throws Exception {
        Path root = startAgents(topology);
        importImage(root);

        ctr(root, "run", "-d", IMAGE, "c1", "sleep", "3600");
        long pid = taskPid(root, "c1");
        assertThat(commandLine(host, pid))
                .as("the container's process, in the host's PID namespace")
                .isEqualTo("sleep 3600");
        assertThat(pidsRunning(dpu, "sleep 3600"))
                .as("no container process on the DPU")
                .isEmpty();

        CommandResult exec =
                ctrResult(root, "task", "exec", "--exec-id", "e1", "c1", "sh", "-c", "echo out; echo err >&2");
        assertThat(exec.exitCode()).as(exec.toString()).isZero();
        assertThat(exec.stdout()).isEqualTo("out\n");
        assertThat(exec.stderr()).isEqualTo("err\n");

        Path bundle = work.resolve(
                "host/run/containerd/io.containerd.runtime.v2.task/" + ContainerdSandbox.NAMESPACE + "/c1");
        assertThat(bundle.resolve("config.json")).as("the bundle, on the host").exists();
        Path snapshots =
                work.resolve("host/var-lib/dpu-offload/containerd/io.containerd.snapshotter.v1.native/snapshots");
        assertThat(listing(snapshots)).as("the snapshots, on the host").isNotEmpty();

        ctr(root, "task", "kill", "-s", "SIGKILL", "c1");
        await().atMost(COMMAND).until(() -> ctr(root, "task", "ls").contains("STOPPED"));
        ctr(root, "task", "delete", "c1");
        ctr(root, "container", "rm", "c1");
        assertThat(bundle).as("the bundle once the task is deleted").doesNotExist();
        assertThat(host.runInside(COMMAND, "sh", "-c", "[ -e /proc/" + pid + " ] && echo alive || echo gone")
                        .stdout()
                        .strip())
                .isEqualTo("gone");

        CommandResult attached = ctrResult(root, "run", "--rm", IMAGE, "t1", "echo", "hello from the host");
        assertThat(attached.exitCode()).as(attached.toString()).isZero();
        assertThat(attached.stdout()).isEqualTo("hello from the host\n");
        assertThat(ctr(root, "container", "ls", "-q")).isBlank();

        dpu.stop();
        assertThat(dpu.stdout() + dpu.stderr()).contains("[containerd] stopped", "taken down");
        dpuMachine.stop();
        host.stop();
    }

    /**
     * A container keeps running, with the same host process, while containerd is killed (and
     * restarted by the agent) and while the DPU agent stops and starts again; each new containerd
     * finds the task through its shim on the host and can exec in it.
     */
    @Test
    void aContainerRunsThroughContainerdAndAgentRestarts(Topology topology) throws Exception {
        Path root = startAgents(topology);
        importImage(root);
        ctr(root, "run", "-d", IMAGE, "c2", "sleep", "3600");
        long pid = taskPid(root, "c2");

        killContainerd(root);
        assertStillRuns(root, "c2", pid, "the containerd the agent restarted");

        dpu.stop();
        assertThat(dpu.stdout() + dpu.stderr()).contains("[containerd] stopped", "taken down");
        earlierDpuAgents.append(dpu.stdout()).append(dpu.stderr());
        assertThat(commandLine(host, pid))
                .as("the container while no agent runs on the DPU")
                .isEqualTo("sleep 3600");
        dpu = startDpuAgent();
        awaitHealthyContainerd(root);
        assertStillRuns(root, "c2", pid, "the containerd of the restarted DPU agent");

        ctr(root, "task", "kill", "-s", "SIGKILL", "c2");
        await().atMost(COMMAND).until(() -> ctr(root, "task", "ls").contains("STOPPED"));
        ctr(root, "task", "delete", "c2");
        ctr(root, "container", "rm", "c2");
        dpu.stop();
        dpuMachine.stop();
        host.stop();
    }

    /** The task runs with the same host pid as before, as {@code whose} sees it, and takes an exec. */
    private void assertStillRuns(Path root, String container, long pid, String whose) {
        assertThat(taskPid(root, container)).as("the task's pid, for " + whose).isEqualTo(pid);
        assertThat(commandLine(host, pid)).as("the container on the host").isEqualTo("sleep 3600");
        CommandResult exec = ctrResult(root, "task", "exec", "--exec-id", "again", container, "echo", "still here");
        assertThat(exec.exitCode()).as("exec, through " + whose + ": " + exec).isZero();
        assertThat(exec.stdout()).isEqualTo("still here\n");
    }

    /** SIGKILL to containerd, as a crash; waits until the agent has restarted it and it answers. */
    private void killContainerd(Path root) throws Exception {
        Path status = root.getParent().resolve("state");
        Pattern running = Pattern.compile("daemon containerd +running, pid (\\d+), restarts (\\d+)");
        Matcher before = running.matcher(statusText(status));
        assertThat(before.find()).as("containerd in %s", statusText(status)).isTrue();
        dpu.runInside(COMMAND, "kill", "-KILL", before.group(1)).orThrow();
        Pattern again = Pattern.compile("daemon containerd +running, pid (?!" + before.group(1) + ",)\\d+, restarts 1");
        await().atMost(START).pollInterval(Duration.ofMillis(200)).until(() -> again.matcher(statusText(status))
                .find());
        awaitHealthyContainerd(root);
    }

    private NodeProcess startDpuAgent() {
        NodeProcess agent =
                dpuMachine.startInside(agent("dpu", pair), agentOptions().withStopGrace(Duration.ofSeconds(60)));
        agent.awaitLine(Pattern.compile("READY .*"), START);
        return agent;
    }

    private Path startAgents(Topology topology) throws Exception {
        work = Files.createTempDirectory(Path.of("/var/tmp"), "containerd-it-");
        ContainerdSandbox sandbox = ContainerdSandbox.create(work);
        Path root = work.resolve("root");
        pair = Files.writeString(work.resolve("pair.yaml"), """
                pair: containerd-it
                host: {node: host-1, endpoint: tcp://198.51.100.1:7400}
                dpu: {node: dpu-1, root: %s, state: %s}
                pki: %s
                profiles: [containerd]
                """.formatted(
                        root, work.resolve("state"), TestPki.create(work.resolve("pki"))));
        host = topology.host().start(sandbox.onHost(agent("host", pair)), agentOptions());
        host.awaitLine(Pattern.compile("READY .*"), START);
        dpuMachine = topology.dpu().start(sandbox.onDpu(io.dpuoffload.cli.demo.LibvirtSandbox.DPU_INIT));
        dpu = startDpuAgent();
        awaitHealthyContainerd(root);
        return root;
    }

    /** The busybox image, built here, imported through the root's ctr from the DPU's disk. */
    private void importImage(Path root) throws Exception {
        Path images = Files.createDirectories(work.resolve("dpu/var-lib/dpuo-images"));
        Path tar = OciImage.BUSYBOX.writeTo(images);
        ctr(root, "images", "import", "/var/lib/dpuo-images/" + tar.getFileName());
    }

    private long taskPid(Path root, String container) {
        Matcher m =
                Pattern.compile("(?m)^" + container + "\\s+(\\d+)\\s+RUNNING").matcher(ctr(root, "task", "ls"));
        assertThat(m.find()).as("task %s running in `ctr task ls`", container).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The command line of process {@code pid} in {@code node}'s PID namespace, its words joined by spaces. */
    private static String commandLine(NodeProcess node, long pid) {
        return node.runInside(COMMAND, "sh", "-c", "tr '\\0' ' ' </proc/" + pid + "/cmdline")
                .stdout()
                .strip();
    }

    /** Pids of the processes in {@code node}'s PID namespace whose command line is {@code words}. */
    private static List<String> pidsRunning(NodeProcess node, String words) {
        String out = node.runInside(COMMAND, "sh", "-c", """
                        for p in /proc/[0-9]*; do
                            [ "$(tr '\\0' ' ' <$p/cmdline 2>/dev/null)" = '%s ' ] && echo ${p#/proc/}
                        done; true
                        """.formatted(words)).stdout();
        return out.lines().filter(line -> !line.isBlank()).toList();
    }

    private static List<String> listing(Path dir) throws Exception {
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    private String ctr(Path root, String... args) {
        CommandResult result = ctrResult(root, args);
        assertThat(result.exitCode())
                .as("ctr %s: %s", String.join(" ", args), result)
                .isZero();
        return result.stdout();
    }

    private CommandResult ctrResult(Path root, String... args) {
        return ContainerdSandbox.ctrInRoot(dpu, root, COMMAND, List.of(args));
    }

    private static void awaitHealthyContainerd(Path root) {
        Path status = root.getParent().resolve("state");
        await().atMost(START).pollInterval(Duration.ofMillis(200)).until(() -> statusText(status)
                .matches("(?s).*daemon containerd .*healthy: containerd .*"));
    }

    private static String statusText(Path state) throws java.io.IOException {
        return String.join(
                "\n", io.dpuoffload.api.status.StatusText.lines(io.dpuoffload.api.status.StatusFile.read(state)));
    }

    private static StartOptions agentOptions() {
        String level = System.getenv("OFFLOADCTL_LOG_LEVEL");
        return level == null
                ? StartOptions.defaults()
                : StartOptions.defaults().withEnvironment("OFFLOADCTL_LOG_LEVEL", level);
    }

    private static List<String> agent(String role, Path pair) {
        return Node.javaCommand(
                Offloadctl.class.getName(), JVM, List.of("agent", "--role", role, "--config", pair.toString()));
    }
}
