package io.dpuoffload.cli.demo;

import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A host/DPU pair's containerd on one machine, with none of the machine's own containerd state
 * touched: each agent runs in its node's private mount namespace, where directories of {@code
 * work} stand over the paths the built-in containerd profile names (the host's /run and /var/lib,
 * the DPU's /var/lib). The host node also gets the machine's cgroup hierarchies, which runc needs
 * and a network namespace's fresh /sys lacks ({@link CgroupMounts}). Used by {@code offloadctl
 * demo --profile containerd} and the end-to-end tests.
 */
public record ContainerdSandbox(Path work) {

    /** The commands the containerd demo and tests run, each with its Debian package. */
    public static final List<List<String>> TOOLS = List.of(
            List.of("containerd", "containerd"),
            List.of("ctr", "containerd"),
            List.of("containerd-shim-runc-v2", "containerd"),
            List.of("runc", "runc"),
            List.of("chroot", "coreutils"));

    /** The namespace (containerd's, not the kernel's) the demo and tests use. */
    public static final String NAMESPACE = "dpuo";

    /** The missing {@link #TOOLS}: "name (Debian package P)" each. */
    public static List<String> missingTools() {
        List<String> missing = new ArrayList<>(DebianTools.missing(TOOLS));
        try {
            OciImage.busyboxProblem().ifPresent(missing::add);
        } catch (IOException e) {
            missing.add(OciImage.BUSYBOX_BINARY + " (unreadable: " + e.getMessage() + ")");
        }
        return missing;
    }

    /** The host node: the machine's cgroups, this sandbox's /run and /var/lib, then "$@". */
    private static final String HOST_NODE = """
            set -eu
            w=$1
            shift
            %s
            mount --bind "$w/host/run" /run
            mount --bind "$w/host/var-lib" /var/lib
            exec "$@"
            """;

    /** The DPU node: the sandbox's /var/lib (containerd's metadata and content), then "$@". */
    private static final String DPU_NODE = """
            set -eu
            w=$1
            shift
            mount --bind "$w/dpu/var-lib" /var/lib
            exec "$@"
            """;

    /**
     * A containerd of the host's own, for comparison, in the host node: the machine's cgroups, the
     * sandbox's {@code local/} directories over /run and /var/lib, containerd's defaults (overlayfs
     * and native snapshotters) but the opt plugin, which would install into the machine's /opt. The
     * shell stays init of the node's PID namespace and reaps what is left to it; SIGTERM to it ends
     * containerd ("containerd ended").
     */
    public List<String> localContainerd() throws IOException {
        for (String dir : List.of("local/run", "local/var-lib")) {
            Files.createDirectories(work.resolve(dir));
        }
        Files.writeString(work.resolve("local/config.toml"), """
                version = 2
                root = "/var/lib/containerd"
                state = "/run/containerd"
                disabled_plugins = ["io.containerd.internal.v1.opt"]
                [grpc]
                  address = "%s"
                """.formatted(SOCKET));
        return wrapped(LOCAL_CONTAINERD.formatted(CgroupMounts.ofThisMachine().script()), List.of());
    }

    private static final String LOCAL_CONTAINERD = """
            set -eu
            w=$1
            %s
            mount --bind "$w/local/run" /run
            mount --bind "$w/local/var-lib" /var/lib
            containerd --config "$w/local/config.toml" &
            pid=$!
            trap 'kill -TERM $pid' TERM
            echo "containerd pid $pid"
            while kill -0 $pid 2>/dev/null; do wait $pid || true; done
            echo "containerd ended"
            """;

    /** ctr against the host's own containerd of {@link #localContainerd}, run in its namespaces. */
    public static CommandResult ctrLocal(NodeProcess local, Duration timeout, List<String> args) {
        List<String> command = new ArrayList<>(List.of("ctr", "--address", SOCKET, "--namespace", NAMESPACE));
        command.addAll(args);
        return local.runInside(timeout, command.toArray(String[]::new));
    }

    /** containerd's API socket, in the root on the DPU as on the host: the profile's. */
    public static final String SOCKET = "/run/containerd/containerd.sock";

    /** Lays the sandbox out under {@code work} (which must be readable by all, as the root shows it). */
    public static ContainerdSandbox create(Path work) throws IOException {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String dir : List.of("host/run", "host/var-lib", "dpu/var-lib")) {
            Files.createDirectories(work.resolve(dir));
        }
        return new ContainerdSandbox(work);
    }

    /**
     * ctr, as an operator on the DPU runs it: in the offload root {@code root}, inside the
     * namespaces of {@code dpu} (a process on the DPU node), with the snapshotter the profile
     * serves (ctr's own default is overlayfs), in the sandbox's containerd namespace unless {@code
     * args} name another first ({@code --namespace N}).
     */
    public static CommandResult ctrInRoot(NodeProcess dpu, Path root, Duration timeout, List<String> args) {
        List<String> command = new ArrayList<>(
                List.of("chroot", root.toString(), "env", "CONTAINERD_SNAPSHOTTER=native", "ctr", "--address", SOCKET));
        if (args.isEmpty() || !args.getFirst().equals("--namespace")) {
            command.addAll(List.of("--namespace", NAMESPACE));
        }
        command.addAll(args);
        return dpu.runInside(timeout, command.toArray(String[]::new));
    }

    /**
     * Removes the cgroups runc made for {@link #NAMESPACE} in the machine's hierarchies: the
     * namespace's, which containerd leaves empty, and any container's that was left behind. One
     * that still holds a process is left, and named.
     */
    public static List<String> removeNamespaceCgroups() throws IOException {
        List<String> left = new ArrayList<>();
        for (CgroupMounts.Hierarchy h : CgroupMounts.ofThisMachine().hierarchies()) {
            Path cgroup = Path.of("/sys/fs/cgroup", h.directory(), NAMESPACE);
            if (!Files.isDirectory(cgroup)) {
                continue;
            }
            // Deepest first: a container's own cgroup that runc could not remove (its task was
            // never deleted), then the namespace's; rmdir takes a cgroup with its control files.
            List<Path> directories;
            try (var walk = Files.walk(cgroup)) {
                directories = walk.filter(Files::isDirectory)
                        .sorted(java.util.Comparator.reverseOrder())
                        .toList();
            }
            for (Path dir : directories) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    left.add(dir + " (" + e.getMessage() + ")");
                }
            }
        }
        return left;
    }

    /** {@code agent} (a command line), run in the host node's sandbox. */
    public List<String> onHost(List<String> agent) throws IOException {
        return wrapped(HOST_NODE.formatted(CgroupMounts.ofThisMachine().script()), agent);
    }

    /** {@code command} (a command line), run in the DPU node's sandbox. */
    public List<String> onDpu(List<String> command) {
        return wrapped(DPU_NODE, command);
    }

    private List<String> wrapped(String script, List<String> command) {
        List<String> line = new ArrayList<>(List.of("sh", "-c", script, "sh", work.toString()));
        line.addAll(command);
        return line;
    }
}
