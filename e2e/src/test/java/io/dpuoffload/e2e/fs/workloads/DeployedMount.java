package io.dpuoffload.e2e.fs.workloads;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.e2e.TestPki;
import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * offload-fs as deployed, for running real programs on it: {@code offloadctl fs serve} on the host
 * node exporting {@code exported/} with the default {@code cache: ttl}, {@code offloadctl fs mount}
 * on the DPU node (mutual TLS across the veth pair), and programs run as DPU processes, inside the
 * mount's namespaces, against the mount and against a local directory on the same file system as
 * the export, which is what they would have done without offload.
 */
public final class DeployedMount implements AutoCloseable {
    private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");

    /** A DPU operation waits this long for the host: long enough for a loaded CI machine, short enough to fail fast. */
    private static final Duration OP_TIMEOUT = Duration.ofSeconds(30);

    /** Startup of either side's JVM. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path exported;
    private final Path mountpoint;
    private final Path local;
    private final NodeProcess host;
    private final NodeProcess mount;

    private DeployedMount(Path exported, Path mountpoint, Path local, NodeProcess host, NodeProcess mount) {
        this.exported = exported;
        this.mountpoint = mountpoint;
        this.local = local;
        this.host = host;
        this.mount = mount;
    }

    public static DeployedMount start(Topology topology, Path work) throws Exception {
        // JUnit makes temp directories 0700; the workloads' files belong to many users.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pki = TestPki.create(work.resolve("pki"));
        Path exported = Files.createDirectories(work.resolve("exported"));
        Path mountpoint = Files.createDirectories(work.resolve("mnt"));
        Path local = Files.createDirectories(work.resolve("local"));
        Path config = Files.writeString(work.resolve("fs.yaml"), """
                node: host-1
                listen: tcp://%s:7100
                pki: %s
                peers: [dpu-1]
                exports:
                  - name: data
                    path: %s
                    allow:
                      all: [/]
                """.formatted(Topology.HOST_ADDRESS, pki, exported));
        NodeProcess host = topology.host()
                .startJava(Offloadctl.class.getName(), JVM, List.of("fs", "serve", "--config", config.toString()));
        host.awaitLine(Pattern.compile("READY .*"), START_TIMEOUT);
        NodeProcess mount = topology.dpu()
                .startJava(
                        Offloadctl.class.getName(),
                        JVM,
                        List.of(
                                "fs",
                                "mount",
                                "--server",
                                "tcp://" + Topology.HOST_ADDRESS + ":7100",
                                "--export",
                                "data",
                                "--node",
                                "dpu-1",
                                "--pki",
                                pki.toString(),
                                "--expect-peer",
                                "host-1",
                                "--timeout",
                                Long.toString(OP_TIMEOUT.toSeconds()),
                                mountpoint.toString()));
        mount.awaitLine(Pattern.compile("MOUNTED .*"), START_TIMEOUT);
        return new DeployedMount(exported, mountpoint, local, host, mount);
    }

    /** One workload's directories: the same name beneath the mount, the export and the local directory. */
    public record Dirs(Path mount, Path host, Path local) {}

    /** Fresh, empty directories named {@code name} (made by a DPU program, through the mount, and locally). */
    public Dirs fresh(String name) {
        Dirs dirs = new Dirs(mountpoint.resolve(name), exported.resolve(name), local.resolve(name));
        onDpu(
                Duration.ofSeconds(30),
                "mkdir \"$1\" \"$2\"",
                dirs.mount().toString(),
                dirs.local().toString());
        return dirs;
    }

    /**
     * Runs {@code script} with {@code sh -c} as a DPU process (root, in the mount's namespaces), its
     * arguments as $1, $2...; throws, with its output, when it fails or outlives {@code timeout}.
     */
    public CommandResult onDpu(Duration timeout, String script, String... args) {
        return run(List.of(), timeout, script, args);
    }

    /** As {@link #onDpu}, as user and group {@code id} with no supplementary groups. */
    CommandResult onDpuAs(int id, Duration timeout, String script, String... args) {
        String user = Integer.toString(id);
        return run(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups"), timeout, script, args);
    }

    private CommandResult run(List<String> as, Duration timeout, String script, String... args) {
        List<String> command = new ArrayList<>(as);
        command.addAll(List.of("sh", "-c", script, "workload"));
        command.addAll(List.of(args));
        return mount.runInside(timeout, command.toArray(String[]::new)).orThrow();
    }

    /**
     * {@code path} as the DPU sees it, for this JVM to read: through the mount process's root, so
     * that paths beneath the mount point lead into the FUSE mount, which lives in the DPU's mount
     * namespace only.
     */
    Path asSeenOnDpu(Path path) {
        return Path.of("/proc/" + mount.pid() + "/root" + path);
    }

    @Override
    public void close() {
        try {
            mount.stop();
        } finally {
            host.stop();
        }
    }
}
