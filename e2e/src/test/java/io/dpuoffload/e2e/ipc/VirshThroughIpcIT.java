package io.dpuoffload.e2e.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.cli.demo.LibvirtSandbox;
import io.dpuoffload.e2e.TestPki;
import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.StartOptions;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one real use: plain {@code virsh -c qemu:///system list --all} on the DPU node answers from a
 * real libvirtd on the host node, through an offload-ipc forward of libvirt's API socket.
 *
 * <p>The host node runs its own libvirtd, in a private mount namespace whose /run, /etc/libvirt,
 * /var/lib, /var/cache and /var/log are directories of this test: the machine's own libvirt state
 * (and any libvirtd of its own) is never touched, and everything goes with the namespace. The DPU
 * node gets a private /run, so the forward's socket sits where virsh looks by default,
 * /run/libvirt/libvirt-sock. libvirtd judges a client by its SO_PEERCRED uid; the test shows what
 * it sees for a carried connection (the ipc service: root) and what guards that (the forward
 * socket's file mode).
 */
@ExtendWith(TopologyExtension.class)
class VirshThroughIpcIT {
    private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");

    private static final String DOMAIN = "dpuo-ipc-probe";

    /** 64 MiB, no disk, never started: all `list --all` needs is a name and a state. */
    private static final String DOMAIN_XML = """
            <domain type='qemu'>
              <name>%s</name>
              <memory unit='MiB'>64</memory>
              <os><type arch='x86_64'>hvm</type></os>
            </domain>
            """.formatted(DOMAIN);

    /** Errors only, to the process's stderr (the test log); auth_unix_rw keeps its default, polkit. */
    private static final String LIBVIRTD_CONF = """
            log_outputs = "4:stderr"
            """;

    /**
     * The DPU side's mount namespace gets a private /run with an empty libvirt directory (the
     * machine may have no /run/libvirt to mount over), then runs "$@". umask 022, the usual one,
     * made explicit: the forward's socket gets mode 0600 (the default), so only root may connect to it.
     */
    private static final String PRIVATE_RUN = """
            set -eu
            umask 022
            mount -t tmpfs -o mode=0755 dpuo-run /run
            mkdir /run/libvirt
            exec "$@"
            """;

    /** An interactive virsh session that lists, then stays connected until $1 exists (at most 20 s). */
    private static final String HELD_SESSION = """
            { echo 'list --all'
              i=0; while [ ! -e "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
              echo quit; } | virsh -c qemu:///system
            """;

    private static final Pattern CLIENT_ROW = Pattern.compile("(?m)^\\s*(\\d+)\\s+unix\\s");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** libvirtd shuts down in well under a second; the margin is for a loaded machine. */
    private static final StartOptions LIBVIRTD_OPTIONS = StartOptions.defaults().withStopGrace(Duration.ofSeconds(10));

    @TempDir
    Path work;

    @BeforeAll
    static void libvirtIsInstalled() {
        io.dpuoffload.e2e.LibvirtPrerequisites.require("VirshThroughIpcIT");
    }

    @Test
    void virshOnTheDpuListsTheHostsDomainsThroughTheForwardedLibvirtSocket(Topology topology) throws Exception {
        // JUnit makes the temp dir 0700; nobody (uid 65534) must be able to reach libvirtd's socket.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path hostRoot = hostRoot();
        Path libvirtSock = hostRoot.resolve("run/libvirt/libvirt-sock");
        Path domainXml = Files.writeString(work.resolve(DOMAIN + ".xml"), DOMAIN_XML);
        // libvirtd and both ipc services start at once: each takes seconds, and none needs another
        // yet (the DPU side retries its first connection for up to 30 s).
        NodeProcess libvirtd = topology.host().start(LibvirtSandbox.privateLibvirtd(hostRoot), LIBVIRTD_OPTIONS);
        Path pki = TestPki.create(work.resolve("pki"));
        NodeProcess host = topology.host()
                .startJava(
                        Offloadctl.class.getName(),
                        JVM,
                        List.of(
                                "ipc",
                                "serve",
                                "--config",
                                hostConfig(pki, libvirtSock).toString()));
        NodeProcess dpu = topology.dpu()
                .start(withPrivateRun(List.of(
                        "ipc",
                        "connect",
                        "--server",
                        "tcp://198.51.100.1:7200",
                        "--config",
                        dpuConfig(pki, libvirtSock).toString())));

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .failFast("libvirtd ended", () -> !libvirtd.isAlive())
                .until(() -> Files.exists(libvirtSock));
        libvirtd.runInside(COMMAND_TIMEOUT, "virsh", "-c", "qemu:///system", "define", domainXml.toString())
                .orThrow();
        host.awaitLine(Pattern.compile("READY .*"), Duration.ofSeconds(60));
        dpu.awaitLine(Pattern.compile("CONNECTED .*"), Duration.ofSeconds(60));

        CommandResult listed = dpu.runInside(COMMAND_TIMEOUT, "virsh", "-c", "qemu:///system", "list", "--all")
                .orThrow();
        assertThat(listed.stdout())
                .as("the host's inactive domain, listed on the DPU")
                .containsPattern("(?m)^\\s*-\\s+" + DOMAIN + "\\s+shut off\\s*$");

        libvirtdSeesTheIpcServiceAsRoot(libvirtd, dpu);
        onlyRootGetsInOnEitherSide(libvirtd, dpu);

        dpu.stop();
        host.stop();
        libvirtd.stop(); // SIGTERM, passed to libvirtd's pid; its namespaces, and their mounts, go with it
        assertThat(libvirtd.stdout()).as("libvirtd shut down on SIGTERM").contains("libvirtd ended");
    }

    /**
     * What libvirtd sees of a carried connection: while a DPU virsh session is open, libvirtd's
     * client list holds one client, whose SO_PEERCRED identity is the ipc service's: root.
     */
    private void libvirtdSeesTheIpcServiceAsRoot(NodeProcess libvirtd, NodeProcess dpu) throws Exception {
        Path release = work.resolve("release-session");
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<CommandResult> session = CompletableFuture.supplyAsync(
                    () -> dpu.runInside(COMMAND_TIMEOUT, "sh", "-c", HELD_SESSION, "sh", release.toString()), executor);
            try {
                String clientId = await().atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(100))
                        .until(
                                () -> onlyClient(adminOnHost(libvirtd, "srv-clients-list", "libvirtd")),
                                id -> id != null);
                assertThat(adminOnHost(libvirtd, "client-info", "libvirtd", clientId))
                        .as("libvirtd's view of the DPU's virsh")
                        .containsPattern("unix_user_id\\s*:\\s*0\\b")
                        .containsPattern("unix_group_id\\s*:\\s*0\\b");
            } finally {
                Files.writeString(release, "");
            }
            assertThat(session.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                            .orThrow()
                            .stdout())
                    .contains(DOMAIN);
        }
    }

    /** libvirtd checks the uid; on the DPU, where it would see root, the forward's socket mode is the gate. */
    private static void onlyRootGetsInOnEitherSide(NodeProcess libvirtd, NodeProcess dpu) {
        // libvirtd does check the uid: nobody, straight to its socket on the host, is refused...
        CommandResult nobodyOnHost =
                libvirtd.runInside(COMMAND_TIMEOUT, asNobody("virsh", "-c", "qemu:///system", "list"));
        assertThat(nobodyOnHost.exitCode())
                .as("nobody on the host: " + nobodyOnHost)
                .isNotZero();
        assertThat(nobodyOnHost.stderr())
                .as("the socket let nobody in; libvirtd itself refused")
                .doesNotContain("Failed to connect socket");
        // ...and on the DPU, where libvirtd would see root, the forward's socket mode keeps nobody out.
        CommandResult nobodyOnDpu = dpu.runInside(COMMAND_TIMEOUT, asNobody("virsh", "-c", "qemu:///system", "list"));
        assertThat(nobodyOnDpu.exitCode())
                .as("nobody on the DPU: " + nobodyOnDpu)
                .isNotZero();
        assertThat(nobodyOnDpu.stderr()).contains("Permission denied");
    }

    /** The directories the host's libvirtd gets instead of the machine's, with its configuration. */
    private Path hostRoot() throws Exception {
        Path root = LibvirtSandbox.privateLibvirtDirectories(work.resolve("host"));
        Files.writeString(root.resolve("etc/libvirt/libvirtd.conf"), LIBVIRTD_CONF);
        return root;
    }

    /** The host's side: the DPU may reach libvirtd's socket, nothing else. */
    private Path hostConfig(Path pki, Path libvirtSock) throws Exception {
        return Files.writeString(work.resolve("host.yaml"), """
                node: host-1
                listen: tcp://198.51.100.1:7200
                pki: %s
                peers: [dpu-1]
                allow: [%s]
                """.formatted(pki, libvirtSock));
    }

    /** The DPU's side: libvirt's default socket path, carried to libvirtd's socket on the host. */
    private Path dpuConfig(Path pki, Path libvirtSock) throws Exception {
        return Files.writeString(work.resolve("dpu.yaml"), """
                node: dpu-1
                pki: %s
                peers: [host-1]
                forwards:
                  - listen: /run/libvirt/libvirt-sock
                    to: %s
                """.formatted(pki, libvirtSock));
    }

    /** {@code offloadctl ARGS} in a new JVM, behind {@link #PRIVATE_RUN}. */
    private static List<String> withPrivateRun(List<String> args) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", PRIVATE_RUN, "sh"));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Offloadctl.class.getName());
        command.addAll(args);
        return command;
    }

    private static String[] asNobody(String... command) {
        List<String> line =
                new ArrayList<>(List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--"));
        line.addAll(List.of(command));
        return line.toArray(String[]::new);
    }

    private static String adminOnHost(NodeProcess libvirtd, String... args) {
        List<String> line = new ArrayList<>(List.of("virt-admin", "-c", "libvirtd:///system"));
        line.addAll(List.of(args));
        return libvirtd.runInside(COMMAND_TIMEOUT, line.toArray(String[]::new))
                .orThrow()
                .stdout();
    }

    /** The id of the one client in {@code virt-admin srv-clients-list} output, or null unless exactly one. */
    private static String onlyClient(String clients) {
        Matcher row = CLIENT_ROW.matcher(clients);
        if (!row.find()) {
            return null;
        }
        String id = row.group(1);
        return row.find() ? null : id;
    }
}
