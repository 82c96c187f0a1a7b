package io.dpuoffload.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.cli.TestPki;
import io.dpuoffload.cli.demo.LibvirtSandbox;
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
 * The headline, end to end: Debian's stock libvirtd runs in the DPU agent's offload root, built
 * from the built-in libvirt profile, and the VMs it starts run on the host. From the DPU: define,
 * start, dominfo, suspend, resume, the guest's serial output, a libvirtd restart that finds the VM
 * again, a DPU agent restart that the VM runs through, destroy and undefine; on the host: the QEMU
 * process, in the host's PID namespace.
 *
 * <p>Each node's agent runs in a {@link LibvirtSandbox}: the machine's own libvirt state is never
 * touched. The DPU is a "machine" whose init outlives its agent (as systemd does on a real DPU), so
 * the agent can stop and start again while the VMs' stand-ins stay.
 */
@ExtendWith(TopologyExtension.class)
class LibvirtOffloadIT {
    private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final String DOMAIN = "dpuo-e2e";

    private Path work;

    @BeforeAll
    static void libvirtIsInstalled() {
        io.dpuoffload.cli.LibvirtPrerequisites.require("LibvirtOffloadIT");
    }

    private NodeProcess host;
    private NodeProcess dpuMachine;
    private NodeProcess dpu;
    /** The output of DPU agents that ended, before the current one's. */
    private final StringBuilder earlierDpuAgents = new StringBuilder();

    /** Both agents' logs (the daemons' included), kept in target/ for a look after a failure. */
    @AfterEach
    void removeWork() throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "libvirt-it-logs"));
        if (host != null) {
            Files.writeString(logs.resolve("host.log"), host.stdout() + host.stderr());
        }
        if (dpu != null) {
            Files.writeString(logs.resolve("dpu.log"), earlierDpuAgents + dpu.stdout() + dpu.stderr());
        }
        if (work != null) {
            Path domainLogs = work.resolve("dpu/var-log/libvirt/qemu");
            if (Files.isDirectory(domainLogs)) {
                try (var files = Files.list(domainLogs)) {
                    for (Path file : files.toList()) {
                        Files.copy(
                                file,
                                logs.resolve(file.getFileName()),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            io.dpuoffload.cli.bench.WorkDirectory.delete(work);
        }
    }

    @Test
    void stockLibvirtdOnTheDpuRunsAVmOnTheHost(Topology topology) throws Exception {
        work = Files.createTempDirectory(Path.of("/var/tmp"), "libvirt-it-");
        LibvirtSandbox sandbox = LibvirtSandbox.create(work, DOMAIN);
        Path xml = sandbox.domainXml();
        Path root = work.resolve("root");
        Path pair = Files.writeString(work.resolve("pair.yaml"), """
                pair: libvirt-it
                host: {node: host-1, endpoint: tcp://198.51.100.1:7400}
                dpu: {node: dpu-1, root: %s, state: %s}
                pki: %s
                profiles: [libvirt]
                """.formatted(
                        root, work.resolve("state"), TestPki.create(work.resolve("pki"))));

        host = topology.host().start(sandbox.onHost(agent("host", pair)), agentOptions());
        host.awaitLine(Pattern.compile("READY .*"), START);
        dpuMachine = topology.dpu().start(sandbox.onDpu(LibvirtSandbox.DPU_INIT));
        dpu = startDpuAgent(pair);

        awaitHealthyLibvirtd(root);
        virsh(dpu, root, "define", xml.toString());
        virsh(dpu, root, "start", DOMAIN);
        assertThat(virsh(dpu, root, "dominfo", DOMAIN)).containsPattern("State:\\s+running");

        int dpuPid = Integer.parseInt(dpu.runInside(COMMAND, "cat", root + "/run/libvirt/qemu/" + DOMAIN + ".pid")
                .stdout()
                .strip());
        String hostQemu = hostQemuPid(host);
        assertThat(host.runInside(COMMAND, "readlink", "/proc/" + hostQemu + "/exe")
                        .stdout()
                        .strip())
                .as("the VM's process on the host")
                .isEqualTo("/usr/bin/qemu-system-x86_64");
        assertThat(dpu.runInside(COMMAND, "readlink", "/proc/" + dpuPid + "/exe")
                        .stdout()
                        .strip())
                .as("what libvirtd on the DPU knows as the VM's process: the shim, not QEMU")
                .isNotEqualTo("/usr/bin/qemu-system-x86_64");
        assertThat(hostQemuPids(dpu)).as("no QEMU runs on the DPU").isEmpty();

        // virtlogd on the DPU writes the guest's serial output through the share: it lands on the host's disk.
        Path serialLog = sandbox.serialLogOnHost();
        await().atMost(COMMAND)
                .pollInterval(Duration.ofMillis(200))
                .until(() ->
                        Files.exists(serialLog) && Files.readString(serialLog).contains(LibvirtSandbox.GUEST_SAYS));

        virsh(dpu, root, "suspend", DOMAIN);
        assertThat(virsh(dpu, root, "domstate", DOMAIN)).contains("paused");
        virsh(dpu, root, "resume", DOMAIN);
        assertThat(virsh(dpu, root, "domstate", DOMAIN)).contains("running");

        restartLibvirtd(dpu, root);
        assertFoundAgain(root, hostQemu, "the restarted libvirtd");
        restartDpuAgent(pair, root);
        assertFoundAgain(root, hostQemu, "the libvirtd of the restarted DPU agent");
        crashDpuAgent(pair, root);
        assertFoundAgain(root, hostQemu, "the libvirtd of the agent started over the crashed one's root");

        virsh(dpu, root, "destroy", DOMAIN);
        assertThat(virsh(dpu, root, "domstate", DOMAIN)).contains("shut off");
        await().atMost(Duration.ofSeconds(10)).until(() -> hostQemuPids(host).isEmpty());
        virsh(dpu, root, "undefine", DOMAIN);
        assertThat(virsh(dpu, root, "list", "--all")).doesNotContain(DOMAIN);

        dpu.stop();
        assertThat(dpu.stdout() + dpu.stderr()).contains("[libvirtd] stopped", "taken down");
        assertThat(root).doesNotExist();
        assertThat(processesBesideInit())
                .as("what runs on the DPU once its agent stopped with no VM left")
                .isEmpty();
        dpuMachine.stop();
        host.stop();
    }

    private NodeProcess startDpuAgent(Path pair) {
        NodeProcess agent =
                dpuMachine.startInside(agent("dpu", pair), agentOptions().withStopGrace(Duration.ofSeconds(60)));
        agent.awaitLine(Pattern.compile("READY .*"), START);
        return agent;
    }

    /**
     * Stops the DPU agent (SIGTERM: its daemons stop, its mounts go) while the VM runs, checks that
     * it left no mount behind, and starts it again.
     */
    private void restartDpuAgent(Path pair, Path root) {
        dpu.stop();
        assertThat(dpu.stdout() + dpu.stderr()).contains("[libvirtd] stopped", "taken down");
        earlierDpuAgents.append(dpu.stdout()).append(dpu.stderr());
        assertThat(dpuMachine.runInside(COMMAND, "cat", "/proc/self/mounts").stdout())
                .as("the DPU's mount table once its agent stopped")
                .doesNotContain(root.toString());
        assertThat(root).doesNotExist();
        dpu = startDpuAgent(pair);
        awaitHealthyLibvirtd(root);
    }

    /**
     * Kills the DPU agent (SIGKILL, a crash: no teardown; its daemons get SIGTERM as it dies) while
     * the VM runs, and starts one again over the root it left: what is still mounted is adopted,
     * not mounted twice.
     */
    private void crashDpuAgent(Path pair, Path root) throws Exception {
        ProcessHandle.of(dpu.pid()).orElseThrow().destroyForcibly();
        dpu.waitFor(COMMAND); // killed: whatever nsenter makes of that, it has ended
        earlierDpuAgents.append(dpu.stdout()).append(dpu.stderr());
        dpu = startDpuAgent(pair);
        awaitHealthyLibvirtd(root);
        List<String> rootMounts = dpuMachine
                .runInside(COMMAND, "cat", "/proc/self/mounts")
                .stdout()
                .lines()
                .filter(line -> line.split(" ")[1].equals(root.toString()))
                .toList();
        assertThat(rootMounts)
                .as("the root's own mount, adopted rather than made again")
                .hasSize(1);
        assertThat(Files.readString(root.getParent().resolve("state/status")))
                .as("the new agent's plan")
                .contains("ADOPTED  tmpfs " + root);
    }

    /** Command lines of the processes on the DPU but its init and this look itself. */
    private List<String> processesBesideInit() {
        String out = dpuMachine
                .runInside(
                        COMMAND,
                        "sh",
                        "-c",
                        "for p in /proc/[0-9]*; do n=${p#/proc/};"
                                + " [ $n = 1 ] || [ $n = $$ ] || { tr '\\0' ' ' <$p/cmdline 2>/dev/null; echo; }; done")
                .stdout();
        return out.lines().filter(line -> !line.isBlank()).toList();
    }

    /** The agents log at OFFLOADCTL_LOG_LEVEL when the test runs with one (DEBUG to look into a failure). */
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

    /** virsh in the offload root, as an operator on the DPU runs it; its output, or a failure naming why. */
    private static String virsh(NodeProcess dpu, Path root, String... args) {
        CommandResult result = LibvirtSandbox.virshInRoot(dpu, root, COMMAND, List.of(args));
        assertThat(result.exitCode())
                .as("virsh %s: %s", String.join(" ", args), result)
                .isZero();
        return result.stdout();
    }

    /**
     * The same QEMU still runs on the host, and {@code whose} libvirtd on the DPU finds the VM
     * running and controls it: suspend and resume go through the monitor it connected to again
     * (each waits for libvirtd's reconnection to end; a destroy would not, and would kill QEMU under
     * the reconnection, which then fails).
     */
    private void assertFoundAgain(Path root, String hostQemu, String whose) {
        assertThat(hostQemuPid(host)).as("the same QEMU, for " + whose).isEqualTo(hostQemu);
        assertThat(virsh(dpu, root, "domstate", DOMAIN))
                .as("the VM found by " + whose)
                .contains("running");
        virsh(dpu, root, "suspend", DOMAIN);
        assertThat(virsh(dpu, root, "domstate", DOMAIN)).contains("paused");
        virsh(dpu, root, "resume", DOMAIN);
        assertThat(virsh(dpu, root, "domstate", DOMAIN)).contains("running");
    }

    /** The agent's health check (libvirt's client library, listing domains) says libvirtd works. */
    private static void awaitHealthyLibvirtd(Path root) {
        Path status = root.getParent().resolve("state/status");
        await().atMost(START).pollInterval(Duration.ofMillis(200)).until(() -> Files.readString(status)
                .matches("(?s).*daemon libvirtd .*healthy: \\d+ running, \\d+ defined.*"));
    }

    /** Kills libvirtd (SIGKILL, as a crash) and waits for the agent's status to show it ready again. */
    private static void restartLibvirtd(NodeProcess dpu, Path root) throws Exception {
        Path status = root.getParent().resolve("state/status");
        Pattern running = Pattern.compile("daemon libvirtd +running, pid (\\d+), restarts (\\d+)");
        Matcher before = running.matcher(Files.readString(status));
        assertThat(before.find()).as("libvirtd in %s", Files.readString(status)).isTrue();
        dpu.runInside(COMMAND, "kill", "-KILL", before.group(1)).orThrow();
        Pattern again = Pattern.compile("daemon libvirtd +running, pid (?!" + before.group(1) + ",)\\d+, restarts 1");
        await().atMost(START).pollInterval(Duration.ofMillis(200)).until(() -> again.matcher(Files.readString(status))
                .find());
    }

    private static String hostQemuPid(NodeProcess host) {
        List<String> pids = hostQemuPids(host);
        assertThat(pids).as("QEMU processes for " + DOMAIN + " on the host").hasSize(1);
        return pids.getFirst();
    }

    /** Pids of processes in {@code node}'s PID namespace whose command line names our domain's QEMU. */
    private static List<String> hostQemuPids(NodeProcess node) {
        String out = node.runInside(COMMAND, "sh", "-c", """
                        for p in /proc/[0-9]*; do
                            if [ "$(readlink $p/exe 2>/dev/null)" = /usr/bin/qemu-system-x86_64 ] \\
                                && tr '\\0' ' ' <$p/cmdline | grep -q 'guest=%s'; then
                                echo ${p#/proc/}
                            fi
                        done
                        """.formatted(DOMAIN)).stdout();
        return out.lines().filter(line -> !line.isBlank()).toList();
    }
}
