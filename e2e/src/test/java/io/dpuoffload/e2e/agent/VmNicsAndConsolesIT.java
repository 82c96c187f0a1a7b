package io.dpuoffload.e2e.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.cli.demo.LibvirtSandbox;
import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A VM's devices, driven from the DPU: NICs on the host's bridges (a tap made on the host for the
 * one libvirtd makes on the DPU) and the serial console ({@code virsh console} on the DPU reaching
 * QEMU's pty on the host).
 */
class VmNicsAndConsolesIT extends LibvirtOnTheDpu {
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
        NodeProcess dhcp = startGuestNetwork(topology);
        Path pair = startAgents(topology, sandbox, List.of(BRIDGE));
        virsh(dpu, root, "define", domainWithNic(NIC_DOMAIN, BRIDGE, NIC_MAC).toString());
        virsh(dpu, root, "start", NIC_DOMAIN);

        String tap = tapOf(root, NIC_MAC);
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

        // The guest took its address from the host's DHCP server and waits at its shell, answering
        // pings: the host reaches the VM across its bridge, as it would a locally started one.
        await().atMost(COMMAND).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(topology.host()
                        .run(Duration.ofSeconds(10), "busybox", "ping", "-c", "1", "-W", "2", GUEST_ADDRESS)
                        .exitCode())
                .as("a ping from the host to the VM at %s; the DHCP server's log: %s", GUEST_ADDRESS, dhcp.stderr())
                .isZero());
        assertThat(topology.host()
                        .run(COMMAND, "ip", "neigh", "show", GUEST_ADDRESS)
                        .stdout())
                .as("the host's neighbour entry for the VM")
                .contains(NIC_MAC);

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
            String added = tapOf(root, mac);
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
        dhcp.stop();
    }

    /**
     * The host's side of the guests' network: an address on the host's bridge and a DHCP and TFTP
     * server (dnsmasq) that gives the first VM {@link #GUEST_ADDRESS} and the iPXE script that keeps
     * it on the network ({@code shell} waits for a key, and iPXE answers pings while it waits).
     */
    private NodeProcess startGuestNetwork(Topology topology) throws Exception {
        topology.host()
                .run(COMMAND, "ip", "addr", "add", "198.51.100.209/28", "dev", BRIDGE)
                .orThrow();
        Path tftp = Files.createDirectories(work.resolve("tftp"));
        Files.writeString(tftp.resolve("guest.ipxe"), "#!ipxe\necho dpuo guest at ${net0/ip}\nshell\n");
        return topology.host()
                .start(List.of(
                        "dnsmasq",
                        "--keep-in-foreground",
                        "--log-facility=-",
                        "--log-dhcp",
                        "--conf-file=/dev/null",
                        "--port=0",
                        "--interface=" + BRIDGE,
                        "--bind-interfaces",
                        "--dhcp-range=198.51.100.210,198.51.100.214,255.255.255.240",
                        "--dhcp-host=" + NIC_MAC + "," + GUEST_ADDRESS,
                        "--enable-tftp",
                        "--tftp-root=" + tftp,
                        "--dhcp-boot=guest.ipxe",
                        "--leasefile-ro",
                        "--pid-file="));
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
    /** The address the host's DHCP server gives the VM with {@link #NIC_MAC}. */
    private static final String GUEST_ADDRESS = "198.51.100.210";

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

    /** The tap of the test VM's interface with {@code mac}, as {@code virsh domiflist} on the DPU names it. */
    private String tapOf(Path root, String mac) {
        return virsh(dpu, root, "domiflist", NIC_DOMAIN)
                .lines()
                .filter(line -> line.contains(mac))
                .map(line -> line.strip().split("\\s+")[0])
                .findFirst()
                .orElseThrow(() -> new AssertionError("no interface with " + mac + " in domiflist"));
    }

    /** A counter of the VM's NIC ({@code rx_packets}: it received), as {@code virsh domifstat} on the DPU says. */
    private long interfaceStat(Path root, String tap, String counter) {
        Matcher value = Pattern.compile(tap + " " + counter + " (\\d+)")
                .matcher(virsh(dpu, root, "domifstat", NIC_DOMAIN, tap));
        assertThat(value.find()).as(counter + " of " + tap).isTrue();
        return Long.parseLong(value.group(1));
    }
}
