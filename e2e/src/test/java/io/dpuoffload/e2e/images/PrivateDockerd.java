package io.dpuoffload.e2e.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A Docker engine of the test's own: data root, exec root, pidfile, socket, configuration and key in a temporary
 * directory; no bridge, no iptables rules (the machine's network is left alone); stopped by pid, its directory
 * removed on close. The machine's own dockerd, if any, is never used.
 */
final class PrivateDockerd implements AutoCloseable {

    /** docker load of a ~45 MB tarball takes seconds. */
    static final Duration LOAD_TIMEOUT = Duration.ofMinutes(2);
    /** A JVM printing its version takes about a second in a container. */
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
    /** The client of the same package as the engine (a newer one elsewhere on PATH would negotiate down, too). */
    private static final Path DEBIAN_CLIENT = Path.of("/usr/bin/docker");

    private final Path dir;
    private final Path socket;
    private final DaemonProcess daemon;

    private PrivateDockerd(Path dir, Path socket, DaemonProcess daemon) {
        this.dir = dir;
        this.socket = socket;
        this.daemon = daemon;
    }

    /** Where dockerd is, if this machine has it (Debian's docker.io). */
    static Optional<Path> engine() {
        return Stream.of(System.getenv("PATH").split(":"), new String[] {"/usr/sbin", "/usr/bin"})
                .flatMap(Stream::of)
                .map(dir -> Path.of(dir, "dockerd"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    static PrivateDockerd start(Path engine) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("dpuo-dockerd");
        Path socket = dir.resolve("docker.sock");
        Path config = dir.resolve("daemon.json");
        // Its own configuration file, so /etc/docker/daemon.json is not read; the key it would write to /etc/docker.
        Files.writeString(config, "{\"deprecated-key-path\": \"" + dir.resolve("key.json") + "\"}\n");
        List<String> command = List.of(
                engine.toString(),
                "--config-file",
                config.toString(),
                "--data-root",
                dir.resolve("data").toString(),
                "--exec-root",
                dir.resolve("exec").toString(),
                "--pidfile",
                dir.resolve("docker.pid").toString(),
                "-H",
                "unix://" + socket,
                "--bridge",
                "none",
                "--iptables=false",
                "--ip6tables=false",
                "--ip-masq=false");
        DaemonProcess daemon = DaemonProcess.start(
                "dockerd", command, dir.resolve("dockerd.log"), () -> Files.exists(socket) && answers(socket));
        return new PrivateDockerd(dir, socket, daemon);
    }

    private static boolean answers(Path socket) {
        try {
            return BoundedCommand.run(CLIENT_TIMEOUT, docker(socket, "version")).succeeded();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code docker load -i TARBALL}: what it printed ("Loaded image: NAME"). */
    String load(Path tarball) throws IOException, InterruptedException {
        return BoundedCommand.check(LOAD_TIMEOUT, docker(socket, "load", "-i", tarball.toString()));
    }

    /** {@code docker run --rm --network none IMAGE ARGS...}: ARGS go after the image's entrypoint. */
    BoundedCommand.Result run(String image, List<String> args) throws IOException, InterruptedException {
        List<String> command = docker(socket, "run", "--rm", "--network", "none", image);
        command.addAll(args);
        return BoundedCommand.run(RUN_TIMEOUT, command);
    }

    private static List<String> docker(Path socket, String... args) {
        String client = Files.isExecutable(DEBIAN_CLIENT) ? DEBIAN_CLIENT.toString() : "docker";
        List<String> command = new ArrayList<>(List.of(client, "-H", "unix://" + socket));
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
