package io.dpuoffload.cli.demo;

import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.StartOptions;
import io.dpuoffload.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code offloadctl demo --profile containerd}: stock containerd in the DPU's offload root runs a
 * container whose processes, shim and runc are on the host; it keeps running through a DPU agent
 * restart. With {@code --compare-local}, also the benchmark: {@code ctr run --rm} of a trivial
 * container, offloaded against a containerd of the host's own.
 */
final class ContainerdDemo {
    /** Steps told, without and with the comparison. */
    static final int STEPS = 7;

    private static final Duration START = DemoAgents.START;
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final String IMAGE = OciImage.BUSYBOX.name();
    private static final String CONTAINER = "dpuo-demo";

    /**
     * Untimed runs on each side before the timed ones. The agents have just started: their first
     * few hundred requests run before the JIT compiles the channel's and the file system's paths
     * (the first ten runs took twice as long as the next ten), while a host's agents run for months.
     */
    private static final int WARM_UPS = 20;

    private final Narrator story;
    private final int compareRuns;

    ContainerdDemo(Narrator story, int compareRuns) {
        this.story = story;
        this.compareRuns = compareRuns;
    }

    void run(Topology topology, Path work) throws Exception {
        ContainerdSandbox sandbox = ContainerdSandbox.create(work);
        Path root = work.resolve("root");
        Path pair = DemoAgents.writePair(work, "containerd");
        story.step(DemoAgents.network(topology));

        NodeProcess host =
                topology.host().start(sandbox.onHost(DemoAgents.command("host", pair)), StartOptions.defaults());
        host.awaitLine(Pattern.compile("READY .*"), START);
        NodeProcess dpuMachine = topology.dpu().start(sandbox.onDpu(LibvirtSandbox.DPU_INIT));
        NodeProcess dpu = DemoAgents.startDpuAgent(dpuMachine, pair);
        story.step("Host agent, pid " + host.pid() + ", serves the containerd profile (bundles, fifos, snapshots,"
                + " the shim); DPU agent, pid " + dpu.pid() + ": offload root " + root + ", in it stock containerd:");
        awaitHealthy(root);
        dpu.stdout().lines().filter(line -> line.startsWith("  daemon")).forEach(story::detail);

        Path images = Files.createDirectories(work.resolve("dpu/var-lib/dpuo-images"));
        Path tar = OciImage.BUSYBOX.writeTo(images);
        ctr(dpu, root, "images", "import", "/var/lib/dpuo-images/" + tar.getFileName());
        ctr(dpu, root, "run", "-d", IMAGE, CONTAINER, "sleep", "3600");
        story.step("On the DPU: ctr images import (busybox, built here: no registry), ctr run -d " + CONTAINER
                + "; ctr task ls says:");
        ctr(dpu, root, "task", "ls").lines().forEach(story::detail);

        story.step("On the host: ps shows the container and its shim (and no containerd):");
        host.runInside(COMMAND, "ps", "-eo", "pid,comm,args", "--cols", "110")
                .stdout()
                .lines()
                .filter(line ->
                        line.contains("sleep 3600") || line.contains("containerd") || line.startsWith("    PID"))
                .forEach(story::detail);
        String inside = ctr(
                        dpu,
                        root,
                        "task",
                        "exec",
                        "--exec-id",
                        "hello",
                        CONTAINER,
                        "sh",
                        "-c",
                        "echo \"hello from inside the container, pid $$ in its own namespace\"")
                .strip();
        story.detail("ctr task exec on the DPU: " + inside);

        long pid = taskPid(dpu, root);
        dpu.stop();
        dpu = DemoAgents.startDpuAgent(dpuMachine, pair);
        awaitHealthy(root);
        story.step("DPU agent stopped and started again, pid " + dpu.pid() + ", while the container ran:");
        story.detail("the container's process on the host: pid " + pid + " before, pid " + taskPid(dpu, root)
                + " after (the new containerd found its shim)");

        ctr(dpu, root, "task", "kill", "-s", "SIGKILL", CONTAINER);
        awaitStopped(dpu, root);
        ctr(dpu, root, "task", "delete", CONTAINER);
        ctr(dpu, root, "container", "rm", CONTAINER);
        story.step("ctr task kill, task delete and container rm on the DPU: the bundle and snapshot are gone"
                + " from the host");
        if (compareRuns > 0) {
            compare(topology, sandbox, dpu, root, images.resolve(tar.getFileName()));
        }
        dpu.stop();
        dpuMachine.stop();
        host.stop();
        List<String> left = ContainerdSandbox.removeNamespaceCgroups();
        story.step("Both agents stopped (the root's mounts undone)"
                + (left.isEmpty() ? "" : "; cgroups still in use: " + String.join(", ", left)));
    }

    /**
     * {@code ctr run --rm} of a container that runs {@code true}, timed from ctr's start to its
     * exit: offloaded, and on a containerd of the host's own with its default snapshotter
     * (overlayfs, what a host uses) and with the offload's (native).
     */
    private void compare(Topology topology, ContainerdSandbox sandbox, NodeProcess dpu, Path root, Path tar)
            throws Exception {
        NodeProcess local = topology.host()
                .start(sandbox.localContainerd(), StartOptions.defaults().withStopGrace(Duration.ofSeconds(20)));
        try {
            long deadline = System.nanoTime() + START.toNanos();
            while (ContainerdSandbox.ctrLocal(local, COMMAND, List.of("version"))
                            .exitCode()
                    != 0) {
                if (System.nanoTime() > deadline || !local.isAlive()) {
                    throw new IllegalStateException("the host's own containerd did not come up: " + local.stderr());
                }
                Thread.sleep(200);
            }
            for (String snapshotter : List.of("overlayfs", "native")) {
                check(
                        ContainerdSandbox.ctrLocal(
                                local,
                                COMMAND,
                                List.of("images", "import", "--snapshotter", snapshotter, tar.toString())),
                        "import on the host's own containerd");
            }
            RunTimes offloaded = RunTimes.measure(
                    WARM_UPS,
                    compareRuns,
                    "offloaded ctr run --rm",
                    i -> ContainerdSandbox.ctrInRoot(
                            dpu, root, COMMAND, List.of("run", "--rm", IMAGE, "bench-" + i, "true")));
            RunTimes overlay = localRuns(local, "overlayfs");
            RunTimes nativeLocal = localRuns(local, "native");
            story.step("ctr run --rm (a container that runs true), " + compareRuns + " runs each after " + WARM_UPS
                    + " untimed (median, fastest):");
            row("offloaded: containerd on the DPU, the container on the host", offloaded);
            row("local:     containerd on the host, overlayfs", overlay);
            row("local:     containerd on the host, native", nativeLocal);
            story.detail(String.format(
                    "offloaded / local (overlayfs)                               %7.2f",
                    offloaded.median() / overlay.median()));
            story.detail(String.format(
                    "offloaded / local (native)                                  %7.2f",
                    offloaded.median() / nativeLocal.median()));
        } finally {
            local.stop();
        }
    }

    /** {@code ctr run --rm} on the host's own containerd, with {@code snapshotter}. */
    private RunTimes localRuns(NodeProcess local, String snapshotter) {
        return RunTimes.measure(
                WARM_UPS,
                compareRuns,
                "local ctr run --rm (" + snapshotter + ")",
                i -> ContainerdSandbox.ctrLocal(
                        local,
                        COMMAND,
                        List.of("run", "--rm", "--snapshotter", snapshotter, IMAGE, "bench-" + i, "true")));
    }

    private void row(String what, RunTimes times) {
        story.detail(String.format("%-58s %7.0f ms %7.0f ms", what, times.median(), times.min()));
    }

    private static void check(CommandResult result, String what) {
        if (result.exitCode() != 0) {
            throw new IllegalStateException(what + " failed: " + result.stderr().strip());
        }
    }

    private static void awaitHealthy(Path root) throws Exception {
        Path state = root.getParent().resolve("state");
        long deadline = System.nanoTime() + START.toNanos();
        Pattern healthy = Pattern.compile("daemon containerd .*healthy: containerd ");
        while (!healthy.matcher(String.join(
                        "\n",
                        io.dpuoffload.api.status.StatusText.lines(io.dpuoffload.api.status.StatusFile.read(state))))
                .find()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("containerd on the DPU was not healthy within " + START);
            }
            Thread.sleep(200);
        }
    }

    private static void awaitStopped(NodeProcess dpu, Path root) throws Exception {
        long deadline = System.nanoTime() + COMMAND.toNanos();
        while (!ctr(dpu, root, "task", "ls").contains("STOPPED")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the container did not stop within " + COMMAND);
            }
            Thread.sleep(100);
        }
    }

    private static long taskPid(NodeProcess dpu, Path root) {
        Matcher m =
                Pattern.compile("(?m)^" + CONTAINER + "\\s+(\\d+)\\s+RUNNING").matcher(ctr(dpu, root, "task", "ls"));
        if (!m.find()) {
            throw new IllegalStateException("the container is not running on the DPU's containerd");
        }
        return Long.parseLong(m.group(1));
    }

    private static String ctr(NodeProcess dpu, Path root, String... args) {
        CommandResult result = ContainerdSandbox.ctrInRoot(dpu, root, COMMAND, List.of(args));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("ctr " + String.join(" ", args) + " on the DPU failed: "
                    + result.stderr().strip());
        }
        return result.stdout();
    }
}
