package io.dpuoffload.e2e.containerd;

import static io.dpuoffload.e2e.containerd.OffloadedContainerd.COMMAND;
import static io.dpuoffload.e2e.containerd.OffloadedContainerd.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.cli.demo.ContainerdSandbox;
import io.dpuoffload.cli.demo.OciImage;
import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
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
    private static final String IMAGE = OciImage.BUSYBOX.name();

    /** Attached runs in a row: each once failed one time in three (Go's signals as FUSE interrupts). */
    private static final int ATTACHED_RUNS = 10;

    private OffloadedContainerd containerd;

    @BeforeAll
    static void containerdIsInstalled() {
        ContainerdPrerequisites.require("ContainerdOffloadIT");
    }

    @AfterEach
    void stopAndRemove() throws Exception {
        if (containerd != null) {
            containerd.close();
        }
        assertThat(ContainerdSandbox.removeNamespaceCgroups())
                .as("cgroups of the test's containers still in use")
                .isEmpty();
    }

    @Test
    void stockContainerdOnTheDpuRunsContainersOnTheHost(Topology topology) throws Exception {
        containerd = OffloadedContainerd.start(topology, "run");
        NodeProcess host = containerd.host;
        containerd.importImages(ContainerdSandbox.NAMESPACE, OciImage.BUSYBOX);
        List<String> imageSnapshots = snapshots();

        containerd.ctr("run", "-d", IMAGE, "c1", "sleep", "3600");
        long pid = taskPid("c1");
        assertThat(commandLine(host, pid))
                .as("the container's process, in the host's PID namespace")
                .isEqualTo("sleep 3600");
        assertThat(pidsRunning(containerd.dpu(), "sleep 3600"))
                .as("no container process on the DPU")
                .isEmpty();

        CommandResult exec =
                containerd.ctrResult("task", "exec", "--exec-id", "e1", "c1", "sh", "-c", "echo out; echo err >&2");
        assertThat(exec.exitCode()).as(exec.toString()).isZero();
        assertThat(exec.stdout()).isEqualTo("out\n");
        assertThat(exec.stderr()).isEqualTo("err\n");

        Path bundle = containerd.work.resolve(
                "host/run/containerd/io.containerd.runtime.v2.task/" + ContainerdSandbox.NAMESPACE + "/c1");
        assertThat(bundle.resolve("config.json")).as("the bundle, on the host").exists();
        assertThat(snapshots()).as("the container's snapshot, on the host").hasSize(imageSnapshots.size() + 1);

        killAndRemove("c1");
        assertThat(bundle).as("the bundle once the task is deleted").doesNotExist();
        // containerd removes a snapshot's directory in its garbage collection, after the remove returns
        await("the container's snapshot gone from the host").atMost(COMMAND).untilAsserted(() -> assertThat(snapshots())
                .isEqualTo(imageSnapshots));
        assertThat(host.runInside(COMMAND, "sh", "-c", "[ -e /proc/" + pid + " ] && echo alive || echo gone")
                        .stdout()
                        .strip())
                .isEqualTo("gone");

        for (int i = 0; i < ATTACHED_RUNS; i++) {
            CommandResult attached = containerd.ctrResult("run", "--rm", IMAGE, "t" + i, "echo", "hello from the host");
            assertThat(attached.exitCode())
                    .as("attached run %d: %s", i, attached)
                    .isZero();
            assertThat(attached.stdout()).isEqualTo("hello from the host\n");
        }
        assertThat(containerd.ctr("container", "ls", "-q")).isBlank();

        assertThat(containerd.stopDpuAgent()).contains("[containerd] stopped", "taken down");
    }

    /**
     * A container keeps running, with the same host process, while containerd is killed (and
     * restarted by the agent) and while the DPU agent stops and starts again; each new containerd
     * finds the task through its shim on the host and can exec in it.
     */
    @Test
    void aContainerRunsThroughContainerdAndAgentRestarts(Topology topology) throws Exception {
        long pid = startWithAContainer(topology, "restarts", "c2");

        killContainerd();
        assertStillRuns("c2", pid, "the containerd the agent restarted");

        assertThat(containerd.stopDpuAgent()).contains("[containerd] stopped", "taken down");
        assertThat(commandLine(containerd.host, pid))
                .as("the container while no agent runs on the DPU")
                .isEqualTo("sleep 3600");
        containerd.startDpuAgent();
        assertStillRuns("c2", pid, "the containerd of the restarted DPU agent");

        containerd.crashDpuAgent();
        containerd.startDpuAgent();
        assertStillRuns("c2", pid, "the containerd of the agent started after a crashed one");

        killAndRemove("c2");
    }

    /**
     * A containerd configuration the offload cannot serve (overlayfs, which would mount on the DPU
     * over the shared file system) stops the DPU agent before it builds the root or starts
     * containerd, with the problem and its fix in its error.
     */
    @Test
    void aConfigurationTheOffloadCannotServeIsRefusedAtStart(Topology topology) throws Exception {
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "containerd-it-");
        try {
            String overlay = io.dpuoffload.api.yaml.SpecFiles.builtIn("containerd")
                    .replace("        \"io.containerd.snapshotter.v1.overlayfs\",\n", "");
            Path profile = Files.writeString(work.resolve("overlay.yaml"), overlay);
            Path pair = Files.writeString(work.resolve("pair.yaml"), """
                    pair: containerd-it
                    host: {node: host-1, endpoint: tcp://198.51.100.1:7400, state: %s}
                    dpu: {node: dpu-1, root: %s, state: %s}
                    pki: %s
                    profiles: [%s]
                    """.formatted(
                            work.resolve("host-state"),
                            work.resolve("root"),
                            work.resolve("state"),
                            io.dpuoffload.e2e.TestPki.create(work.resolve("pki")),
                            profile));
            NodeProcess dpu = topology.dpu().start(io.dpuoffload.e2e.AgentProcesses.standalone("dpu", pair));
            assertThat(dpu.waitFor(START)).as("the DPU agent's exit status").isNotZero();
            assertThat(dpu.stdout() + dpu.stderr())
                    .contains(
                            "the overlayfs snapshotter is enabled",
                            "add io.containerd.snapshotter.v1.overlayfs to disabled_plugins")
                    .doesNotContain("[containerd]");
            assertThat(work.resolve("root")).as("the root, never built").doesNotExist();
        } finally {
            io.dpuoffload.cli.WorkDirectory.delete(work);
        }
    }

    /**
     * A container keeps running while the link between host and DPU is down for longer than the
     * channel's heartbeat timeout: containerd's connections to the shim are carried ones, and a
     * closed one would make containerd delete the task; they resume once the channel is back, and
     * so do the shares' sessions, with the files containerd has open in them.
     */
    @Test
    void aContainerRunsThroughALinkCutLongerThanTheHeartbeatTimeout(Topology topology) throws Exception {
        long pid = startWithAContainer(topology, "cut", "c3");

        setDpuLinks(topology, "down");
        await("the DPU agent seeing the channel gone")
                .atMost(LINK_CUT)
                .until(() -> containerd.status().contains("not connected"));
        Thread.sleep(LINK_CUT.toMillis());
        setDpuLinks(topology, "up");
        await("the channel back").atMost(START).until(() -> !containerd.status().contains("not connected"));
        // Each share reconnects on its own backoff (up to 10 s after the link is back) and takes its
        // session back; its requests wait for that.
        await("every share back")
                .atMost(START)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> containerd.sharesAnswer());

        assertStillRuns("c3", pid, "containerd after the cut");
        String agent = containerd.dpu().stdout() + containerd.dpu().stderr();
        assertThat(agent)
                .as("the shares kept their sessions, and with them the files containerd holds open (the"
                        + " shim's log fifo)")
                .contains("resumed session")
                .doesNotContain("files opened before are stale");
        assertThat(containerd.ctr("task", "ls")).contains("RUNNING");
        killAndRemove("c3");
    }

    /**
     * How long the link stays down once the agent has seen the channel go (the heartbeat timeout,
     * 5 s, after the cut): well within carried connections' resume bound (60 s).
     */
    private static final Duration LINK_CUT = Duration.ofSeconds(8);

    private static void setDpuLinks(Topology topology, String state) {
        topology.dpu()
                .run(
                        COMMAND,
                        "sh",
                        "-c",
                        "for i in $(ls /sys/class/net); do [ $i = lo ] || ip link set dev $i " + state + "; done")
                .orThrow();
    }

    /** Both agents with containerd, the image imported, and {@code container} running; its host pid. */
    private long startWithAContainer(Topology topology, String logName, String container) throws Exception {
        containerd = OffloadedContainerd.start(topology, logName);
        containerd.importImages(ContainerdSandbox.NAMESPACE, OciImage.BUSYBOX);
        containerd.ctr("run", "-d", IMAGE, container, "sleep", "3600");
        return taskPid(container);
    }

    /** Kills the container's task, waits for it to stop, and deletes the task and the container. */
    private void killAndRemove(String container) {
        containerd.ctr("task", "kill", "-s", "SIGKILL", container);
        await().atMost(COMMAND).until(() -> containerd.ctr("task", "ls").contains("STOPPED"));
        containerd.ctr("task", "delete", container);
        containerd.ctr("container", "rm", container);
    }

    /** The task runs with the same host pid as before, as {@code whose} sees it, and takes an exec. */
    private void assertStillRuns(String container, long pid, String whose) {
        assertThat(taskPid(container)).as("the task's pid, for " + whose).isEqualTo(pid);
        assertThat(commandLine(containerd.host, pid))
                .as("the container on the host")
                .isEqualTo("sleep 3600");
        CommandResult exec =
                containerd.ctrResult("task", "exec", "--exec-id", "again", container, "echo", "still here");
        assertThat(exec.exitCode()).as("exec, through " + whose + ": " + exec).isZero();
        assertThat(exec.stdout()).isEqualTo("still here\n");
    }

    /** SIGKILL to containerd, as a crash; waits until the agent has restarted it and it answers. */
    private void killContainerd() throws Exception {
        Pattern running = Pattern.compile("daemon containerd +running, pid (\\d+), restarts (\\d+)");
        Matcher before = running.matcher(containerd.status());
        assertThat(before.find()).as("containerd in %s", containerd.status()).isTrue();
        containerd.dpu().runInside(COMMAND, "kill", "-KILL", before.group(1)).orThrow();
        Pattern again = Pattern.compile("daemon containerd +running, pid (?!" + before.group(1) + ",)\\d+, restarts 1");
        await().atMost(START).pollInterval(Duration.ofMillis(200)).until(() -> again.matcher(containerd.status())
                .find());
        containerd.awaitHealthy();
    }

    private long taskPid(String container) {
        Matcher m =
                Pattern.compile("(?m)^" + container + "\\s+(\\d+)\\s+RUNNING").matcher(containerd.ctr("task", "ls"));
        assertThat(m.find()).as("task %s running in `ctr task ls`", container).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The native snapshotter's snapshot directories on the host. */
    private List<String> snapshots() throws Exception {
        Path dir = containerd.work.resolve(
                "host/var-lib/dpu-offload/containerd/io.containerd.snapshotter.v1.native/snapshots");
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The command line of process {@code pid} in {@code node}'s PID namespace, its words joined by spaces. */
    static String commandLine(NodeProcess node, long pid) {
        return node.runInside(COMMAND, "sh", "-c", "tr '\\0' ' ' </proc/" + pid + "/cmdline")
                .stdout()
                .strip();
    }

    /** Pids of the processes in {@code node}'s PID namespace whose command line is {@code words}. */
    static List<String> pidsRunning(NodeProcess node, String words) {
        String out = node.runInside(COMMAND, "sh", "-c", """
                        for p in /proc/[0-9]*; do
                            [ "$(tr '\\0' ' ' <$p/cmdline 2>/dev/null)" = '%s ' ] && echo ${p#/proc/}
                        done; true
                        """.formatted(words)).stdout();
        return out.lines().filter(line -> !line.isBlank()).toList();
    }
}
