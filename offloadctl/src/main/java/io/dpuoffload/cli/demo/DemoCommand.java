package io.dpuoffload.cli.demo;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.channel.DemoPki;
import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.StartOptions;
import io.dpuoffload.topology.Topology;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl demo}: the headline on one machine. A host and a DPU in their own network, mount
 * and PID namespaces; both node agents with the built-in libvirt profile; stock libvirtd in the
 * DPU's offload root defines and starts a tiny VM, whose QEMU runs on the host. Everything is
 * removed at the end, also on failure or Ctrl-C.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run stock libvirtd on a simulated DPU and a VM on its simulated host (as root).",
            "",
            "Two namespaces joined by a veth pair stand for the host and its DPU. The",
            "host agent serves the built-in libvirt profile; the DPU agent builds the",
            "offload root and starts virtlogd and libvirtd in it. From the DPU, virsh",
            "defines and starts a VM (a boot sector that greets on its serial port);",
            "`virsh list` on the DPU and `ps` on the host show where each part runs.",
            "The machine's own libvirt state is not touched. Takes about a minute.",
            "",
            "With --profile containerd: stock containerd on the DPU imports a busybox",
            "image built here and runs a container whose processes, shim and runc are",
            "on the host; it runs through a DPU agent restart."
        })
public final class DemoCommand implements Callable<Integer> {
    private static final String DOMAIN = "dpuo-demo";
    private static final Duration START = DemoAgents.START;
    private static final Duration COMMAND = Duration.ofSeconds(60);

    @Option(
            names = "--compare-local",
            paramLabel = "RUNS",
            defaultValue = "0",
            description = "Also time `virsh start` RUNS times against a libvirtd of the host's own starting"
                    + " the same VM, and print both (the benchmark: ./dpuo bench libvirt); with --profile"
                    + " containerd, `ctr run --rm` against a containerd of the host's own (./dpuo bench containerd).")
    int compareRuns;

    @Option(
            names = "--footprint",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description = "Also measure both agents' resident memory and CPU over SECONDS while the VM runs and"
                    + " nothing is asked of them, after 30 s to settle, and print both (./dpuo bench footprint).")
    int footprintSeconds;

    @Option(
            names = "--profile",
            paramLabel = "PROFILE",
            defaultValue = "libvirt",
            description = "What the DPU runs: libvirt (a VM on the host; the default) or containerd (a container"
                    + " on the host).")
    String profile;

    @Spec
    CommandSpec spec;

    private PrintWriter out;
    private Narrator story;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        if (compareRuns < 0 || compareRuns > 100) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--compare-local: " + compareRuns + " runs; give 1 to 100 (or 0: no comparison)");
        }
        boolean containerd =
                switch (profile) {
                    case "libvirt" -> false;
                    case "containerd" -> true;
                    default ->
                        throw new picocli.CommandLine.ParameterException(
                                spec.commandLine(), "--profile: '" + profile + "'; give libvirt or containerd");
                };
        if (footprintSeconds < 0 || footprintSeconds > 3600 || (containerd && footprintSeconds > 0)) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--footprint: " + footprintSeconds + " s; give 1 to 3600 (or 0: not measured), with the libvirt"
                            + " profile");
        }
        requireTools(containerd ? ContainerdSandbox.missingTools() : LibvirtSandbox.missingTools());
        int steps = (containerd ? ContainerdDemo.STEPS : 7) + (footprintSeconds > 0 ? 1 : 0);
        story = new Narrator(out, compareRuns > 0 ? steps + 1 : steps);
        out.println(
                containerd
                        ? "dpu-offload demo: stock containerd on a DPU, its containers on the host (both simulated on"
                                + " this machine)."
                        : "dpu-offload demo: stock libvirtd on a DPU, its VM on the host (both simulated on this"
                                + " machine).");
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "dpuo-demo-");
        Topology topology = null;
        Thread cleanup = null;
        try {
            topology = Topology.create();
            Topology created = topology;
            cleanup = new Thread(() -> tearDown(created, work), "demo-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            if (containerd) {
                new ContainerdDemo(story, compareRuns).run(topology, work);
            } else {
                run(topology, LibvirtSandbox.create(work, DOMAIN));
            }
        } finally {
            if (cleanup != null) {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            tearDown(topology, work);
        }
        return ExitCodes.OK;
    }

    private void run(Topology topology, LibvirtSandbox sandbox) throws Exception {
        Path work = sandbox.work();
        Path root = work.resolve("root");
        Path pair = DemoAgents.writePair(work, "libvirt");
        step(DemoAgents.network(topology));

        NodeProcess host =
                topology.host().start(sandbox.onHost(DemoAgents.command("host", pair)), StartOptions.defaults());
        host.awaitLine(Pattern.compile("READY .*"), START);
        step("Host agent, pid " + host.pid() + ": serves offload-fs, offload-ipc and offload-exec for " + DemoPki.DPU
                + " (the libvirt profile's directories, sockets and QEMU)");

        NodeProcess dpuMachine = topology.dpu().start(sandbox.onDpu(LibvirtSandbox.DPU_INIT));
        NodeProcess dpu = DemoAgents.startDpuAgent(dpuMachine, pair);
        step("DPU agent, pid " + dpu.pid() + ": offload root " + root + " built; in it, stock virtlogd and libvirtd:");
        dpu.stdout().lines().filter(line -> line.startsWith("  daemon")).forEach(this::detail);

        virsh(dpu, root, "define", sandbox.domainXml().toString());
        virsh(dpu, root, "start", DOMAIN);
        step("On the DPU: virsh define and virsh start " + DOMAIN + " (" + LibvirtSandbox.accelerator()
                + "); virsh list says:");
        virsh(dpu, root, "list").lines().filter(line -> !line.isBlank()).forEach(this::detail);

        step("On the host: ps shows the VM's QEMU (and no libvirtd):");
        CommandResult ps = host.runInside(COMMAND, "ps", "-eo", "pid,comm,args", "--cols", "110");
        ps.stdout()
                .lines()
                .filter(line -> line.contains("qemu-system") || line.contains("libvirtd") || line.startsWith("    PID"))
                .forEach(this::detail);
        detail("the guest wrote to its serial port: " + awaitGuest(sandbox));
        if (footprintSeconds > 0) {
            Map<String, NodeProcess> agents = new java.util.LinkedHashMap<>();
            agents.put("host agent", host);
            agents.put("DPU agent", dpu);
            var figures = AgentFootprint.measure(agents, Duration.ofSeconds(footprintSeconds));
            step("Both agents over " + footprintSeconds + " s while the VM ran, nothing asked of them (after "
                    + AgentFootprint.SETTLE.toSeconds() + " s to settle):");
            figures.forEach(f -> detail(f.line()));
        }

        String qemu = hostQemuPid(host);
        dpu.stop();
        dpu = DemoAgents.startDpuAgent(dpuMachine, pair);
        step("DPU agent stopped and started again, pid " + dpu.pid() + ", while the VM ran:");
        detail("QEMU on the host: pid " + qemu + " before, pid " + hostQemuPid(host) + " after");
        detail("virsh domstate " + DOMAIN + " on the DPU: "
                + virsh(dpu, root, "domstate", DOMAIN).strip());
        // Each takes the domain's job, so waits for the new libvirtd's reconnection to the monitor
        // (a destroy would not, and would kill QEMU under it: docs/libvirt.md).
        virsh(dpu, root, "suspend", DOMAIN);
        String paused = virsh(dpu, root, "domstate", DOMAIN).strip();
        virsh(dpu, root, "resume", DOMAIN);
        detail("virsh suspend, domstate, resume: " + paused + ", then "
                + virsh(dpu, root, "domstate", DOMAIN).strip() + " (QEMU's monitor reached again)");

        virsh(dpu, root, "destroy", DOMAIN);
        if (compareRuns > 0) {
            compare(topology, sandbox, dpu, root);
        }
        virsh(dpu, root, "undefine", DOMAIN);
        dpu.stop();
        dpuMachine.stop();
        host.stop();
        step("virsh destroy and undefine on the DPU; both agents stopped (the root's mounts undone)");
    }

    private void compare(Topology topology, LibvirtSandbox sandbox, NodeProcess dpu, Path root) throws Exception {
        String localDomain = "dpuo-local";
        LibvirtSandbox.LocalLibvirt setup = sandbox.localLibvirt(localDomain);
        NodeProcess local =
                topology.host().start(setup.command(), StartOptions.defaults().withStopGrace(Duration.ofSeconds(20)));
        var virshLocal = StartTimes.virshIn(local, List.of());
        long deadline = System.nanoTime() + START.toNanos();
        while (virshLocal.apply(List.of("version")).exitCode() != 0) {
            if (System.nanoTime() > deadline || !local.isAlive()) {
                throw new IllegalStateException("the host's own libvirtd did not come up: " + tail(local.stderr()));
            }
            Thread.sleep(200);
        }
        if (virshLocal.apply(List.of("define", setup.domainXml().toString())).exitCode() != 0) {
            throw new IllegalStateException("cannot define the VM on the host's own libvirtd");
        }
        Map<String, Long> sentBefore = ShareRequests.sentUnder(root);
        StartTimes.Result times = StartTimes.measure(
                compareRuns,
                DOMAIN,
                StartTimes.virshIn(dpu, List.of("chroot", root.toString())),
                localDomain,
                virshLocal);
        Map<String, Long> sentAfter = ShareRequests.sentUnder(root);
        virshLocal.apply(List.of("undefine", localDomain));
        local.stop();
        step("virsh start, " + compareRuns + " runs each after a warm-up (median, fastest):");
        detail(String.format(
                "offloaded: libvirtd on the DPU, QEMU on the host   %7.0f ms  %7.0f ms",
                times.offloadedMedian(), times.offloadedMin()));
        detail(String.format(
                "local:     libvirtd and QEMU on the host           %7.0f ms  %7.0f ms",
                times.localMedian(), times.localMin()));
        detail(String.format("offloaded / local                                 %7.2f", times.ratio()));
        // the warm-up's start too: every start and destroy of the offloaded VM is in the counts
        detail("requests to the host per offloaded start and destroy, by share: "
                + ShareRequests.perTime(sentBefore, sentAfter, compareRuns + 1));
    }

    private String awaitGuest(LibvirtSandbox sandbox) throws Exception {
        long deadline = System.nanoTime() + COMMAND.toNanos();
        while (System.nanoTime() < deadline) {
            Path log = sandbox.serialLogOnHost();
            if (Files.exists(log) && Files.readString(log).contains(LibvirtSandbox.GUEST_SAYS)) {
                return "\"" + LibvirtSandbox.GUEST_SAYS + "\"";
            }
            Thread.sleep(200);
        }
        return "(nothing within " + COMMAND.toSeconds() + " s)";
    }

    /** The demo VM's QEMU on the host, by its command line. */
    private static String hostQemuPid(NodeProcess host) {
        return host.runInside(COMMAND, "pgrep", "-f", "guest=" + DOMAIN)
                .orThrow()
                .stdout()
                .strip();
    }

    private static String virsh(NodeProcess dpu, Path root, String... args) {
        CommandResult result = LibvirtSandbox.virshInRoot(dpu, root, COMMAND, List.of(args));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("virsh " + String.join(" ", args) + " on the DPU failed: "
                    + result.stderr().strip() + "\nThe DPU agent's log:\n" + tail(dpu.stderr()));
        }
        return result.stdout();
    }

    private static void requireTools(List<String> missing) {
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the demo needs " + String.join(", ", missing)
                    + "; install them with apt-get install --no-install-recommends (./dpuo demo does this itself)");
        }
    }

    private void tearDown(Topology topology, Path work) {
        if (topology != null) {
            topology.close();
        }
        try {
            io.dpuoffload.cli.WorkDirectory.delete(work);
            out.println("Cleaned up: the namespaces, their processes and mounts, and " + work + ".");
        } catch (Exception e) {
            out.println("Could not remove " + work + ": " + e.getMessage());
        }
        out.flush();
    }

    private void step(String text) {
        story.step(text);
    }

    private void detail(String text) {
        story.detail(text);
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
