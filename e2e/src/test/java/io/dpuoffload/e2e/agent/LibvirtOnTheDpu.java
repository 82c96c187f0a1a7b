package io.dpuoffload.e2e.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.cli.demo.LibvirtSandbox;
import io.dpuoffload.e2e.AgentProcesses;
import io.dpuoffload.e2e.TestPki;
import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Both nodes' agents with the built-in libvirt profile, each in a {@link LibvirtSandbox} (the
 * machine's own libvirt state is never touched), for the tests that drive stock libvirtd on the DPU:
 * the work directory, the agents and the DPU "machine" whose init outlives its agent (as systemd
 * does on a real DPU), so the agent can stop and start again while the VMs' stand-ins stay; virsh
 * in the offload root; the QEMU processes of a node. The agents' logs are kept in target/.
 */
@ExtendWith(TopologyExtension.class)
abstract class LibvirtOnTheDpu {
    static final Duration START = Duration.ofSeconds(120);
    static final Duration COMMAND = Duration.ofSeconds(60);

    /** A VM as small as they come: 64 MiB, one vCPU, no disk (the firmware finds nothing to boot and waits). */
    static final String SMALL_DOMAIN = """
            <domain type='%s'>
              <name>%s</name>
              <memory unit='MiB'>64</memory>
              <vcpu>1</vcpu>
              <os><type arch='x86_64' machine='pc'>hvm</type></os>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <controller type='usb' model='none'/>
                <memballoon model='none'/>
              </devices>
            </domain>
            """;

    Path work;

    @BeforeAll
    static void libvirtIsInstalled() {
        io.dpuoffload.e2e.LibvirtPrerequisites.require("LibvirtOffloadIT");
    }

    NodeProcess host;
    NodeProcess dpuMachine;
    NodeProcess dpu;
    /** The output of DPU agents that ended, before the current one's. */
    final StringBuilder earlierDpuAgents = new StringBuilder();

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
            io.dpuoffload.cli.WorkDirectory.delete(work);
        }
    }

    /** A fresh work directory and a sandbox in it whose VM is {@code domain}. */
    LibvirtSandbox sandbox(String domain) throws Exception {
        work = Files.createTempDirectory(Path.of("/var/tmp"), "libvirt-it-");
        return LibvirtSandbox.create(work, domain);
    }

    /** The host agent, the DPU machine and its agent, with a healthy libvirtd; the pair file. */
    Path startAgents(Topology topology, LibvirtSandbox sandbox) throws Exception {
        return startAgents(topology, sandbox, List.of());
    }

    /** The same, with the host's bridges that the DPU's VM interfaces may join. */
    Path startAgents(Topology topology, LibvirtSandbox sandbox, List<String> bridges) throws Exception {
        Path root = work.resolve("root");
        Path pair = Files.writeString(work.resolve("pair.yaml"), """
                pair: libvirt-it
                host: {node: host-1, endpoint: tcp://198.51.100.1:7400, state: %s, bridges: %s}
                dpu: {node: dpu-1, root: %s, state: %s}
                pki: %s
                profiles: [libvirt]
                """.formatted(
                work.resolve("host-state"), bridges, root, work.resolve("state"), TestPki.create(work.resolve("pki"))));
        host = topology.host().start(sandbox.onHost(AgentProcesses.standalone("host", pair)), AgentProcesses.options());
        host.awaitLine(Pattern.compile("READY .*"), START);
        dpuMachine = topology.dpu().start(sandbox.onDpu(LibvirtSandbox.DPU_INIT));
        dpu = startDpuAgent(pair);
        awaitHealthyLibvirtd(root);
        return pair;
    }

    NodeProcess startDpuAgent(Path pair) {
        NodeProcess agent = dpuMachine.startInside(
                AgentProcesses.standalone("dpu", pair), AgentProcesses.options().withStopGrace(Duration.ofSeconds(60)));
        agent.awaitLine(Pattern.compile("READY .*"), START);
        return agent;
    }

    /**
     * Stops the DPU agent (SIGTERM: its daemons stop, its mounts go) while the VM runs, checks that
     * it left no mount behind, and starts it again.
     */
    void restartDpuAgent(Path pair, Path root) {
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

    /** virsh in the offload root, as an operator on the DPU runs it; its output, or a failure naming why. */
    static String virsh(NodeProcess dpu, Path root, String... args) {
        CommandResult result = LibvirtSandbox.virshInRoot(dpu, root, COMMAND, List.of(args));
        assertThat(result.exitCode())
                .as("virsh %s: %s", String.join(" ", args), result)
                .isZero();
        return result.stdout();
    }

    /** The agent's health check (libvirt's client library, listing domains) says libvirtd works. */
    static void awaitHealthyLibvirtd(Path root) {
        Path status = root.getParent().resolve("state");
        await().atMost(START).pollInterval(Duration.ofMillis(200)).until(() -> statusText(status)
                .matches("(?s).*daemon libvirtd .*healthy: \\d+ running, \\d+ defined.*"));
    }

    /** The agent's status in {@code state} as {@code offloadctl status} prints it. */
    static String statusText(Path state) throws java.io.IOException {
        return String.join(
                "\n", io.dpuoffload.api.status.StatusText.lines(io.dpuoffload.api.status.StatusFile.read(state)));
    }

    /**
     * Pids of QEMU processes in {@code node}'s PID namespace whose guest name begins with {@code
     * guest} (libvirt passes {@code -name guest=NAME,debug-threads=on}).
     */
    static List<String> qemuPids(NodeProcess node, String guest) {
        String out = node.runInside(COMMAND, "sh", "-c", """
                        for p in /proc/[0-9]*; do
                            if [ "$(readlink $p/exe 2>/dev/null)" = /usr/bin/qemu-system-x86_64 ] \\
                                && tr '\\0' ' ' <$p/cmdline | grep -q 'guest=%s'; then
                                echo ${p#/proc/}
                            fi
                        done
                        """.formatted(guest)).stdout();
        return out.lines().filter(line -> !line.isBlank()).toList();
    }
}
