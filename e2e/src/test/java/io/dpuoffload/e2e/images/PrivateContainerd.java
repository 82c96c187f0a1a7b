package io.dpuoffload.e2e.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A containerd of the test's own: root, state, socket and config in a temporary directory, used through {@code ctr}
 * in one namespace; stopped by pid and its directory removed on close. The CRI plugin is off unless asked for.
 */
public final class PrivateContainerd implements AutoCloseable {

    public static final String NAMESPACE = "dpuo-test";
    /** CRI's namespace: images a CRI client uses must be there. */
    public static final String CRI_NAMESPACE = "k8s.io";
    /** containerd's plain-copy snapshotter, which works on any file system. */
    public static final String NATIVE = "native";
    /** Unpacking a ~45 MB image takes seconds; a minute means a stuck snapshotter. */
    static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(2);
    /** A JVM printing its version takes about a second in a container. */
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private final Path socket;
    private final String snapshotter;
    private final DaemonProcess daemon;

    private PrivateContainerd(Path dir, Path socket, String snapshotter, DaemonProcess daemon) {
        this.dir = dir;
        this.socket = socket;
        this.snapshotter = snapshotter;
        this.daemon = daemon;
    }

    /** Without CRI, with overlay where the kernel has it (the machine's) and containerd's native snapshotter elsewhere. */
    public static PrivateContainerd start() throws IOException, InterruptedException {
        return start(defaultSnapshotter(), false, "");
    }

    /** Without CRI, with the native snapshotter: what the offloaded containerd uses, for comparisons with it. */
    public static PrivateContainerd startNative() throws IOException, InterruptedException {
        return start(NATIVE, false, "");
    }

    /**
     * With the CRI plugin on, its sandbox image SANDBOX_IMAGE (which must be imported into {@link #CRI_NAMESPACE},
     * never pulled), the native snapshotter and runc through its v2 shim; no TCP service, streams on loopback.
     */
    public static PrivateContainerd startWithCri(String sandboxImage) throws IOException, InterruptedException {
        return start(NATIVE, true, sandboxImage);
    }

    private static PrivateContainerd start(String snapshotter, boolean cri, String sandboxImage)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("dpuo-containerd");
        Path socket = dir.resolve("containerd.sock");
        Path config = dir.resolve("config.toml");
        // opt: it would install into /opt/containerd on the machine.
        String disabled = cri
                ? "\"io.containerd.internal.v1.opt\""
                // cri: no Kubernetes here.
                : "\"io.containerd.grpc.v1.cri\", \"io.containerd.internal.v1.opt\"";
        Files.writeString(
                config,
                """
                version = 2
                root = "%s"
                state = "%s"
                disabled_plugins = [%s]
                [grpc]
                  address = "%s"
                """.formatted(dir.resolve("root"), dir.resolve("state"), disabled, socket)
                        + (cri ? criConfig(dir, sandboxImage) : ""));
        DaemonProcess daemon = DaemonProcess.start(
                "containerd",
                List.of("containerd", "--config", config.toString()),
                dir.resolve("containerd.log"),
                () -> Files.exists(socket) && answers(socket));
        return new PrivateContainerd(dir, socket, snapshotter, daemon);
    }

    /**
     * CRI without a machine's Kubernetes: AppArmor profiles are the machine's business; OOM scores no lower than
     * containerd's own (a pause asks for -998, and lowering a score needs CAP_SYS_RESOURCE, which a root in a
     * container may lack: runc then fails with "can't get final child's PID"); the TCP streaming service
     * and a port on all addresses are not needed (ExecSync needs no stream), and CNI's directories are the test's
     * own, since CRI makes its configuration directory when it is missing. Host-network pods need no CNI.
     */
    private static String criConfig(Path dir, String sandboxImage) {
        return """
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%s"
                  disable_apparmor = true
                  restrict_oom_score_adj = true
                  disable_tcp_service = true
                  stream_server_address = "127.0.0.1"
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "native"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "%s"
                    conf_dir = "%s"
                """.formatted(sandboxImage, dir.resolve("cni/bin"), dir.resolve("cni/net.d"));
    }

    private static String defaultSnapshotter() throws IOException {
        return Files.readString(Path.of("/proc/filesystems")).contains("\toverlay\n") ? "overlayfs" : NATIVE;
    }

    private static boolean answers(Path socket) {
        try {
            return BoundedCommand.run(CLIENT_TIMEOUT, List.of("ctr", "-a", socket.toString(), "version"))
                    .succeeded();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Its gRPC socket, for clients other than ctr (a CRI client). */
    public Path socket() {
        return socket;
    }

    /** The directory that holds all of it: what it may have mounted is under here. */
    public Path dir() {
        return dir;
    }

    /** {@code ctr images import} into the test's namespace: the names it stored, one a line. */
    public String importImage(Path tarball) throws IOException, InterruptedException {
        return importImage(NAMESPACE, tarball);
    }

    /** {@code ctr images import} into NAMESPACE, unpacked for this containerd's snapshotter: the names stored there. */
    public String importImage(String namespace, Path tarball) throws IOException, InterruptedException {
        BoundedCommand.check(
                IMPORT_TIMEOUT, ctr(namespace, "images", "import", "--snapshotter", snapshotter, tarball.toString()));
        return BoundedCommand.check(CLIENT_TIMEOUT, ctr(namespace, "images", "ls", "-q"));
    }

    /** {@code ctr run --rm IMAGE ID ARGS...}: ctr's arguments after the id replace the image's whole command. */
    public BoundedCommand.Result run(String image, String id, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = ctr(NAMESPACE, "run", "--rm", "--snapshotter", snapshotter, image, id);
        command.addAll(args);
        return BoundedCommand.run(RUN_TIMEOUT, command);
    }

    private List<String> ctr(String namespace, String... args) {
        List<String> command = new ArrayList<>(List.of("ctr", "-a", socket.toString(), "-n", namespace));
        command.addAll(List.of(args));
        return command;
    }

    public String logText() throws IOException {
        return daemon.logText();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        daemon.close();
        Mounts.unmountUnder(dir);
        RunDirectories.deleteTree(dir);
    }
}
