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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
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
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final String DOMAIN = "dpuo-e2e";

    /** VMs started at once: many times the cores of the machines this runs on. */
    private static final int PARALLEL_VMS = 12;

    /** All of them running within this: one start takes about a second here, twelve in turn 15 s. */
    private static final Duration PARALLEL_START = Duration.ofSeconds(120);

    /** The parallel VMs are this with a number. */
    private static final String PARALLEL_DOMAIN = "dpuo-par-";

    /** A VM as small as they come: 64 MiB, one vCPU, no disk (the firmware finds nothing to boot and waits). */
    private static final String SMALL_DOMAIN = """
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

    private Path work;

    @BeforeAll
    static void libvirtIsInstalled() {
        io.dpuoffload.e2e.LibvirtPrerequisites.require("LibvirtOffloadIT");
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
            io.dpuoffload.cli.WorkDirectory.delete(work);
        }
    }

    @Test
    void stockLibvirtdOnTheDpuRunsAVmOnTheHost(Topology topology) throws Exception {
        LibvirtSandbox sandbox = sandbox(DOMAIN);
        Path xml = sandbox.domainXml();
        Path root = work.resolve("root");
        Path pair = startAgents(topology, sandbox);
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

        assertStatisticsAndPinningAreTheHostQemus(root, hostQemu);
        assertScreenshotIsTheGuestsScreen(root);
        assertMemoryDumpLandsOnTheHost(root);
        assertTuningWorksOrSaysWhyNot(root);

        restartLibvirtd(dpu, root);
        assertFoundAgain(root, hostQemu, "the restarted libvirtd");
        restartDpuAgent(pair, root);
        assertFoundAgain(root, hostQemu, "the libvirtd of the restarted DPU agent");
        assertSerialOutputStillArrives(serialLog, "the DPU agent's restart");
        crashDpuAgent(pair, root);
        assertFoundAgain(root, hostQemu, "the libvirtd of the agent started over the crashed one's root");
        assertSerialOutputStillArrives(serialLog, "the DPU agent's crash");

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

    /**
     * Twelve VMs started at once from the DPU, on a machine of two cores (this one's; CI's may have
     * more, twelve is more than most): each runs on the host within the bound. Each QEMU's run on the
     * host once held a carrier thread of the host agent's stream handlers for the VM's whole life,
     * so two VMs started and the other ten {@code virsh start} hung for good; then, with every start
     * proceeding, a few in one run of three failed with "failed to connect to monitor socket:
     * Connection refused" (libvirtd's connect reached the host's new socket file while its own
     * listener was still bound on the DPU; see the connect supervisor).
     */
    @Test
    void twelveVmsStartedAtOnceFromTheDpuAllRunOnTheHost(Topology topology) throws Exception {
        LibvirtSandbox sandbox = sandbox(DOMAIN);
        Path root = work.resolve("root");
        startAgents(topology, sandbox);
        List<String> names = IntStream.rangeClosed(1, PARALLEL_VMS)
                .mapToObj(i -> PARALLEL_DOMAIN + i)
                .toList();
        for (String name : names) {
            Path xml = Files.writeString(
                    work.resolve(name + ".xml"), SMALL_DOMAIN.formatted(LibvirtSandbox.accelerator(), name));
            virsh(dpu, root, "define", xml.toString());
        }
        try {
            long began = System.nanoTime();
            List<CommandResult> starts = inParallel(
                    names, name -> LibvirtSandbox.virshInRoot(dpu, root, PARALLEL_START, List.of("start", name)));
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            assertThat(starts).as("each virsh start").allSatisfy(result -> assertThat(result.exitCode())
                    .as(result.toString())
                    .isZero());
            assertThat(took).as("the %d starts at once", PARALLEL_VMS).isLessThan(PARALLEL_START);
            assertThat(virsh(dpu, root, "list", "--state-running", "--name").lines())
                    .as("the VMs libvirtd on the DPU runs")
                    .containsAll(names);
            assertThat(qemuPids(host, PARALLEL_DOMAIN))
                    .as("the VMs' QEMU processes on the host")
                    .hasSize(PARALLEL_VMS);
            assertThat(qemuPids(dpu, PARALLEL_DOMAIN))
                    .as("no QEMU runs on the DPU")
                    .isEmpty();
        } finally {
            inParallel(
                    names,
                    name -> { // each VM that runs; a failure to destroy one shows in the checks below
                        try {
                            return LibvirtSandbox.virshInRoot(dpu, root, COMMAND, List.of("destroy", name));
                        } catch (RuntimeException e) {
                            return null;
                        }
                    });
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> qemuPids(host, PARALLEL_DOMAIN).isEmpty());
        for (String name : names) {
            virsh(dpu, root, "undefine", name);
        }
        dpu.stop();
        dpuMachine.stop();
        host.stop();
    }

    /**
     * A VM with a NIC on a bridge: libvirtd on the DPU makes the tap there, and QEMU on the host gets
     * a tap of the same name that is a port of the host's bridge of that name, with libvirt's
     * hardware address, up; packets the host sends into its bridge reach the VM's NIC and show in
     * {@code virsh domifstat} on the DPU; the tap goes with the VM. A NIC on a bridge the host does
     * not allow fails the start and says how to allow it.
     */
    @Test
    void aVmsNicIsAPortOfTheHostsBridge(Topology topology) throws Exception {
        LibvirtSandbox sandbox = sandbox(NIC_DOMAIN);
        Path root = work.resolve("root");
        for (var node : List.of(topology.host(), topology.dpu())) { // libvirt needs the bridge on the DPU too
            for (String bridge : List.of(BRIDGE, "brdeny")) {
                node.run(COMMAND, "ip", "link", "add", bridge, "type", "bridge").orThrow();
                node.run(COMMAND, "ip", "link", "set", bridge, "up").orThrow();
            }
        }
        // The host side's address on its bridge, the source of the broadcasts sent into it below.
        topology.host()
                .run(COMMAND, "ip", "addr", "add", "198.51.100.201/32", "dev", BRIDGE)
                .orThrow();
        Path pair = startAgents(topology, sandbox, List.of(BRIDGE));
        virsh(dpu, root, "define", domainWithNic(NIC_DOMAIN, BRIDGE, NIC_MAC).toString());
        virsh(dpu, root, "start", NIC_DOMAIN);

        String tap = virsh(dpu, root, "domiflist", NIC_DOMAIN)
                .lines()
                .filter(line -> line.contains(NIC_MAC))
                .map(line -> line.strip().split("\\s+")[0])
                .findFirst()
                .orElseThrow();
        String onHost = host.runInside(COMMAND, "ip", "-o", "link", "show", "dev", tap)
                .orThrow()
                .stdout();
        assertThat(onHost)
                .as("the VM's tap on the host")
                .contains("master " + BRIDGE, "link/ether fe" + NIC_MAC.substring(2))
                .containsPattern("<[A-Z_,]*\\bUP\\b[A-Z_,]*>");
        String qemu = qemuPids(host, NIC_DOMAIN).getFirst();
        assertThat(host.runInside(COMMAND, "sh", "-c", "cat /proc/" + qemu + "/fdinfo/*")
                        .stdout())
                .as("QEMU on the host holds the host's tap")
                .containsPattern("iff:\\s+" + tap);

        // The guest is the NIC's own boot firmware (iPXE), which asks for an address by DHCP: its
        // frames come out of the host's tap into the host's bridge, which learns the VM's address.
        await().atMost(COMMAND).pollInterval(Duration.ofMillis(200)).until(() -> host.runInside(
                        COMMAND, "bridge", "fdb", "show", "br", BRIDGE)
                .stdout()
                .contains(NIC_MAC + " dev " + tap));
        assertThat(interfaceStat(root, tap, "tx_packets"))
                .as("packets the VM sent")
                .isPositive();
        long before = interfaceStat(root, tap, "rx_packets");
        topology.host()
                .run(COMMAND, "python3", "-c", BROADCASTS.formatted(BRIDGE))
                .orThrow();
        await().atMost(COMMAND)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> interfaceStat(root, tap, "rx_packets") >= before + 5);

        // NICs added to the running VM (libvirtd passes each tap to QEMU through the monitor): one on
        // the bridge, one on a libvirt network in bridge mode over it.
        Path network = Files.writeString(work.resolve("hostbr.xml"), """
                <network><name>hostbr</name><forward mode='bridge'/><bridge name='%s'/></network>
                """.formatted(BRIDGE));
        virsh(dpu, root, "net-define", network.toString());
        virsh(dpu, root, "net-start", "hostbr");
        virsh(dpu, root, "attach-interface", NIC_DOMAIN, "bridge", BRIDGE, "--model", "virtio", "--mac", HOTPLUG_MAC);
        virsh(
                dpu,
                root,
                "attach-interface",
                NIC_DOMAIN,
                "network",
                "hostbr",
                "--model",
                "virtio",
                "--mac",
                NETWORK_MAC);
        for (String mac : List.of(HOTPLUG_MAC, NETWORK_MAC)) {
            String added = virsh(dpu, root, "domiflist", NIC_DOMAIN)
                    .lines()
                    .filter(line -> line.contains(mac))
                    .map(line -> line.strip().split("\\s+")[0])
                    .findFirst()
                    .orElseThrow();
            assertThat(host.runInside(COMMAND, "ip", "-o", "link", "show", "dev", added)
                            .orThrow()
                            .stdout())
                    .as("the tap on the host of the NIC added with %s", mac)
                    .contains("master " + BRIDGE, "link/ether fe" + mac.substring(2));
        }

        virsh(
                dpu,
                root,
                "define",
                domainWithNic(NIC_DOMAIN + "-denied", "brdeny", "52:54:00:d9:00:02")
                        .toString());
        CommandResult denied = LibvirtSandbox.virshInRoot(dpu, root, COMMAND, List.of("start", NIC_DOMAIN + "-denied"));
        assertThat(denied.exitCode()).as(denied.toString()).isNotZero();
        assertThat(denied.stderr()).as("why the start failed").contains("brdeny", "host.bridges");

        assertVirshConsoleReachesTheGuest(root, pair);

        virsh(dpu, root, "destroy", NIC_DOMAIN);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> host.runInside(COMMAND, "ip", "link", "show", "dev", tap)
                                .exitCode()
                        != 0);
        dpu.stop();
        dpuMachine.stop();
        host.stop();
    }

    /**
     * {@code virsh console} on the DPU reaches the serial port of a VM on the host: a guest that
     * echoes what it reads with the case flipped answers what is typed; a second console after the
     * first ends works too, and so does one after the DPU agent restarted.
     */
    private void assertVirshConsoleReachesTheGuest(Path root, Path pair) throws Exception {
        Files.write(
                work.resolve("host/var-lib/dpu-offload/images/" + CONSOLE_DOMAIN + ".img"),
                io.dpuoffload.cli.demo.BootSector.echoing(LibvirtSandbox.GUEST_SAYS));
        Path xml = Files.writeString(
                work.resolve(CONSOLE_DOMAIN + ".xml"), LibvirtSandbox.consoleDomainXml(CONSOLE_DOMAIN));
        virsh(dpu, root, "define", xml.toString());
        virsh(dpu, root, "start", CONSOLE_DOMAIN);
        try {
            for (String typed : List.of("dpuoffload", "again", "restarted")) {
                if (typed.equals("restarted")) {
                    restartDpuAgent(pair, root); // the new agent mirrors the running VM's console again
                }
                CommandResult console = dpu.runInside(
                        COMMAND, "python3", "-c", TYPE_AT_CONSOLE, root.toString(), CONSOLE_DOMAIN, typed);
                assertThat(console.stdout())
                        .as("virsh console, typing %s: %s", typed, console)
                        .contains("Connected to domain", typed.toUpperCase(java.util.Locale.ROOT));
            }
        } finally {
            virsh(dpu, root, "destroy", CONSOLE_DOMAIN);
        }
    }

    /**
     * Runs {@code virsh console DOMAIN} in the root on a terminal of its own, types argv[3] once it
     * is connected, prints all it saw until the guest's answer (or 20 s), then leaves with ^].
     */
    private static final String TYPE_AT_CONSOLE = """
            import os, pty, select, sys, time
            root, domain, typed = sys.argv[1], sys.argv[2], sys.argv[3].encode()
            pid, fd = pty.fork()
            if pid == 0:
                os.execvp("chroot", ["chroot", root, "virsh", "-c", "qemu:///system", "console", domain, "--force"])
            seen, sent_at, deadline = b"", None, time.time() + 20
            while time.time() < deadline and not (sent_at and typed.upper() in seen.split(b"Escape character")[-1]):
                if select.select([fd], [], [], 0.2)[0]:
                    try:
                        seen += os.read(fd, 4096)
                    except OSError:
                        break
                if sent_at is None and b"Escape character" in seen:
                    time.sleep(1)  # virsh makes its terminal raw right after its greeting
                    os.write(fd, typed)
                    sent_at = time.time()
            os.write(fd, b"\\x1d")
            time.sleep(0.5)
            sys.stdout.write(seen.decode(errors="replace") + "\\n")
            os.waitpid(pid, 0)
            """;

    private static final String CONSOLE_DOMAIN = "dpuo-console";
    private static final String NIC_DOMAIN = "dpuo-nic";
    private static final String NIC_MAC = "52:54:00:d9:00:01";
    private static final String BRIDGE = "brvm";
    private static final String HOTPLUG_MAC = "52:54:00:d9:00:03";
    private static final String NETWORK_MAC = "52:54:00:d9:00:04";
    /** Five UDP broadcasts out of a bridge of the host's (named by %s): each a frame to every port. */
    private static final String BROADCASTS = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'%s')
            for _ in range(5):
                s.sendto(b'hello, VM', ('255.255.255.255', 9))
            """;

    /**
     * {@link #SMALL_DOMAIN} with a virtio NIC on {@code bridge}, booting from it (QEMU's iPXE ROM);
     * its XML file.
     */
    private Path domainWithNic(String name, String bridge, String mac) throws Exception {
        String nic = """
                    <interface type='bridge'>
                      <mac address='%s'/>
                      <source bridge='%s'/>
                      <model type='virtio'/>
                    </interface>
                  </devices>""".formatted(mac, bridge);
        return Files.writeString(
                work.resolve(name + ".xml"),
                // TCG: under KVM on a nested machine like this one iPXE stops at once ("KVM internal
                // error... emulation failure").
                SMALL_DOMAIN
                        .formatted("qemu", name)
                        .replace("hvm</type>", "hvm</type><boot dev='network'/>")
                        .replace("</os>", "</os><features><acpi/></features>") // PCI hotplug needs ACPI
                        .replace("  </devices>", nic));
    }

    /** A counter of the VM's NIC ({@code rx_packets}: it received), as {@code virsh domifstat} on the DPU says. */
    private long interfaceStat(Path root, String tap, String counter) {
        Matcher value = Pattern.compile(tap + " " + counter + " (\\d+)")
                .matcher(virsh(dpu, root, "domifstat", NIC_DOMAIN, tap));
        assertThat(value.find()).as(counter + " of " + tap).isTrue();
        return Long.parseLong(value.group(1));
    }

    /** {@code action} for each of {@code names} at once, on a thread each; their results in order. */
    private static <T> List<T> inParallel(List<String> names, java.util.function.Function<String, T> action)
            throws Exception {
        try (var threads =
                Executors.newThreadPerTaskExecutor(Thread.ofPlatform().factory())) {
            List<Future<T>> results = new ArrayList<>();
            for (String name : names) {
                results.add(threads.submit(() -> action.apply(name)));
            }
            List<T> done = new ArrayList<>();
            for (Future<T> result : results) {
                done.add(result.get());
            }
            return done;
        }
    }

    /** A fresh work directory and a sandbox in it whose VM is {@code domain}. */
    private LibvirtSandbox sandbox(String domain) throws Exception {
        work = Files.createTempDirectory(Path.of("/var/tmp"), "libvirt-it-");
        return LibvirtSandbox.create(work, domain);
    }

    /** The host agent, the DPU machine and its agent, with a healthy libvirtd; the pair file. */
    private Path startAgents(Topology topology, LibvirtSandbox sandbox) throws Exception {
        return startAgents(topology, sandbox, List.of());
    }

    /** The same, with the host's bridges that the DPU's VM interfaces may join. */
    private Path startAgents(Topology topology, LibvirtSandbox sandbox, List<String> bridges) throws Exception {
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

    private NodeProcess startDpuAgent(Path pair) {
        NodeProcess agent = dpuMachine.startInside(
                AgentProcesses.standalone("dpu", pair), AgentProcesses.options().withStopGrace(Duration.ofSeconds(60)));
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
        assertThat(statusText(root.getParent().resolve("state")))
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

    /**
     * libvirt reads its QEMU's CPU time from {@code /proc/<pid>/stat} of the pid it knows, QEMU's
     * stand-in on the DPU, whose entry in the DPU's /proc view is the host QEMU's; and it pins a
     * vcpu by the host thread id QEMU's monitor gave it, which the DPU carries to the host.
     */
    private void assertStatisticsAndPinningAreTheHostQemus(Path root, String hostQemu) throws Exception {
        long ticksBefore = cpuTicks(hostQemu);
        String stats = virsh(dpu, root, "domstats", DOMAIN, "--cpu-total");
        long ticksAfter = cpuTicks(hostQemu);
        Matcher cpuTime = Pattern.compile("cpu\\.time=(\\d+)").matcher(stats);
        assertThat(cpuTime.find()).as("domstats: %s", stats).isTrue();
        assertThat(ticksAfter).as("the host QEMU's CPU time, in ticks of 10 ms").isPositive();
        assertThat(Long.parseLong(cpuTime.group(1)))
                .as("domstats cpu.time, ns: the host QEMU's, read between two reads of it on the host")
                .isBetween(ticksBefore * 10_000_000L, ticksAfter * 10_000_000L);

        String cpus = virsh(dpu, root, "qemu-monitor-command", DOMAIN, "{\"execute\":\"query-cpus-fast\"}");
        Matcher thread = Pattern.compile("\"thread-id\":\\s*(\\d+)").matcher(cpus);
        assertThat(thread.find()).as("vcpu 0's thread in %s", cpus).isTrue();
        String vcpuStatus = "/proc/" + hostQemu + "/task/" + thread.group(1) + "/status";
        int lastCpu = Runtime.getRuntime().availableProcessors() - 1;
        for (int cpu : new int[] {lastCpu, 0}) {
            virsh(dpu, root, "vcpupin", DOMAIN, "0", Integer.toString(cpu));
            assertThat(host.runInside(COMMAND, "cat", vcpuStatus).stdout())
                    .as("vcpu 0's thread on the host, pinned from the DPU to CPU %d", cpu)
                    .containsPattern("(?m)^Cpus_allowed_list:\\s+" + cpu + "$");
        }
        assertThat(virsh(dpu, root, "vcpuinfo", DOMAIN))
                .as("vcpuinfo reads the vcpu thread's CPU and affinity from the host")
                .containsPattern("VCPU:\\s+0")
                .containsPattern("CPU Affinity:\\s+y");
    }

    /**
     * The tuning that needs per-VM cgroups (off in the profile's qemu.conf, docs/libvirt.md) either
     * works or fails at once with libvirt's own message naming the cgroup controller, never with an
     * error of the offload layer or a hang.
     */
    private void assertTuningWorksOrSaysWhyNot(Path root) {
        for (String command : List.of("schedinfo", "blkiotune", "memtune")) {
            CommandResult result = LibvirtSandbox.virshInRoot(dpu, root, COMMAND, List.of(command, DOMAIN));
            if (result.exitCode() != 0) {
                assertThat(result.stderr()).as("virsh %s: %s", command, result).containsPattern("error: .*cgroup");
            }
        }
    }

    /**
     * {@code virsh screenshot}: libvirtd makes a file in its cache directory, QEMU on the host fills
     * it, and libvirtd at once reads it back through the share and sends it to virsh. The image
     * must be whole: a PNG whose pixel data decompresses to exactly its rows (a read that saw the
     * file's old size, or part of its data, would not).
     */
    private void assertScreenshotIsTheGuestsScreen(Path root) {
        for (int i = 0; i < SCREENSHOTS; i++) {
            String file = "/tmp/screen-" + i + ".png";
            virsh(dpu, root, "screenshot", DOMAIN, file);
            CommandResult check = dpu.runInside(COMMAND, "chroot", root.toString(), "python3", "-c", WHOLE_PNG, file);
            assertThat(check.stdout().strip())
                    .as("screenshot %d, decoded: %s", i, check)
                    .matches("whole \\d+x\\d+");
        }
    }

    /**
     * {@code virsh dump --memory-only}: libvirtd opens the dump file and passes it to QEMU through
     * its monitor; QEMU on the host writes the guest's memory into the host's same file (a shared
     * directory), as an ELF core of at least the guest's 64 MiB.
     */
    private void assertMemoryDumpLandsOnTheHost(Path root) throws Exception {
        String core = "/var/lib/libvirt/qemu/" + DOMAIN + ".core";
        virsh(dpu, root, "dump", "--memory-only", DOMAIN, core);
        Path onHost = work.resolve("host/var-lib/libvirt/qemu/" + DOMAIN + ".core");
        assertThat(Files.size(onHost)).as("the dump on the host").isGreaterThanOrEqualTo(64L << 20);
        try (var in = Files.newInputStream(onHost)) {
            assertThat(in.readNBytes(4)).as("an ELF core").containsExactly(0x7f, 'E', 'L', 'F');
        }
        Files.delete(onHost);
    }

    /** Several in a row: each is a new file that QEMU fills just before libvirtd reads it. */
    private static final int SCREENSHOTS = 5;

    /** Prints "whole WxH" for an 8-bit RGB or RGBA PNG whose pixel data is all there, else fails. */
    private static final String WHOLE_PNG = """
            import struct, sys, zlib
            d = open(sys.argv[1], 'rb').read()
            assert d[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'not a PNG'
            w, h, depth, color = struct.unpack('>IIBB', d[16:26])
            assert depth == 8 and color in (2, 6), (depth, color)
            i, idat = 8, b''
            while i < len(d):
                n, kind = struct.unpack('>I4s', d[i:i + 8])
                if kind == b'IDAT':
                    idat += d[i + 8:i + 8 + n]
                i += 12 + n
            assert len(zlib.decompress(idat)) == h * (1 + w * (3 if color == 2 else 4)), 'rows missing'
            print('whole %dx%d' % (w, h))
            """;

    /**
     * The guest writes a line to its serial port every second: the lines keep reaching its log file
     * on the host after {@code what} (QEMU writes the file itself, carried to it as an open file).
     */
    private static void assertSerialOutputStillArrives(Path serialLog, String what) throws Exception {
        long before = Files.size(serialLog);
        await().atMost(COMMAND)
                .pollInterval(Duration.ofMillis(200))
                .alias("the guest's serial output after " + what)
                .until(() -> Files.size(serialLog) > before + 2L * LibvirtSandbox.GUEST_SAYS.length());
    }

    /** utime + stime of a host process, in clock ticks, as libvirt reads them. */
    private long cpuTicks(String hostPid) throws Exception {
        String stat =
                host.runInside(COMMAND, "cat", "/proc/" + hostPid + "/stat").stdout();
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
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
        Path status = root.getParent().resolve("state");
        await().atMost(START).pollInterval(Duration.ofMillis(200)).until(() -> statusText(status)
                .matches("(?s).*daemon libvirtd .*healthy: \\d+ running, \\d+ defined.*"));
    }

    /** Kills libvirtd (SIGKILL, as a crash) and waits for the agent's status to show it ready again. */
    private static void restartLibvirtd(NodeProcess dpu, Path root) throws Exception {
        Path status = root.getParent().resolve("state");
        Pattern running = Pattern.compile("daemon libvirtd +running, pid (\\d+), restarts (\\d+)");
        Matcher before = running.matcher(statusText(status));
        assertThat(before.find()).as("libvirtd in %s", statusText(status)).isTrue();
        dpu.runInside(COMMAND, "kill", "-KILL", before.group(1)).orThrow();
        Pattern again = Pattern.compile("daemon libvirtd +running, pid (?!" + before.group(1) + ",)\\d+, restarts 1");
        await().atMost(START).pollInterval(Duration.ofMillis(200)).until(() -> again.matcher(statusText(status))
                .find());
    }

    /** The agent's status in {@code state} as {@code offloadctl status} prints it. */
    private static String statusText(Path state) throws java.io.IOException {
        return String.join(
                "\n", io.dpuoffload.api.status.StatusText.lines(io.dpuoffload.api.status.StatusFile.read(state)));
    }

    private static String hostQemuPid(NodeProcess host) {
        List<String> pids = hostQemuPids(host);
        assertThat(pids).as("QEMU processes for " + DOMAIN + " on the host").hasSize(1);
        return pids.getFirst();
    }

    /** Pids of processes in {@code node}'s PID namespace whose command line names our domain's QEMU. */
    private static List<String> hostQemuPids(NodeProcess node) {
        return qemuPids(node, DOMAIN);
    }

    /**
     * Pids of QEMU processes in {@code node}'s PID namespace whose guest name begins with {@code
     * guest} (libvirt passes {@code -name guest=NAME,debug-threads=on}).
     */
    private static List<String> qemuPids(NodeProcess node, String guest) {
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
