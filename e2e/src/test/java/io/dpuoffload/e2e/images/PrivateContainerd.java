package io.dpuoffload.e2e.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A containerd of the test's own: root, state, socket and config in a temporary directory, the CRI plugin off,
 * used through {@code ctr} in one namespace; stopped by pid and its directory removed on close.
 */
final class PrivateContainerd implements AutoCloseable {

    static final String NAMESPACE = "dpuo-test";
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

    static PrivateContainerd start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("dpuo-containerd");
        Path socket = dir.resolve("containerd.sock");
        Path config = dir.resolve("config.toml");
        // cri: no Kubernetes here; opt: it would install into /opt/containerd on the machine.
        Files.writeString(config, """
                version = 2
                root = "%s"
                state = "%s"
                disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt"]
                [grpc]
                  address = "%s"
                """.formatted(dir.resolve("root"), dir.resolve("state"), socket));
        DaemonProcess daemon = DaemonProcess.start(
                "containerd",
                List.of("containerd", "--config", config.toString()),
                dir.resolve("containerd.log"),
                () -> Files.exists(socket) && answers(socket));
        return new PrivateContainerd(dir, socket, snapshotter(), daemon);
    }

    /** Overlay where the kernel has it (the machine's); containerd's plain-copy snapshotter elsewhere. */
    private static String snapshotter() throws IOException {
        return Files.readString(Path.of("/proc/filesystems")).contains("\toverlay\n") ? "overlayfs" : "native";
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

    /** {@code ctr images import}: the names it stored, one a line. */
    String importImage(Path tarball) throws IOException, InterruptedException {
        BoundedCommand.check(IMPORT_TIMEOUT, ctr("images", "import", "--snapshotter", snapshotter, tarball.toString()));
        return BoundedCommand.check(CLIENT_TIMEOUT, ctr("images", "ls", "-q"));
    }

    /** {@code ctr run --rm IMAGE ID ARGS...}: ctr's arguments after the id replace the image's whole command. */
    BoundedCommand.Result run(String image, String id, List<String> args) throws IOException, InterruptedException {
        List<String> command = ctr("run", "--rm", "--snapshotter", snapshotter, image, id);
        command.addAll(args);
        return BoundedCommand.run(RUN_TIMEOUT, command);
    }

    private List<String> ctr(String... args) {
        List<String> command = new ArrayList<>(List.of("ctr", "-a", socket.toString(), "-n", NAMESPACE));
        command.addAll(List.of(args));
        return command;
    }

    String logText() throws IOException {
        return daemon.logText();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        daemon.close();
        Mounts.unmountUnder(dir);
        RunDirectories.deleteTree(dir);
    }
}
