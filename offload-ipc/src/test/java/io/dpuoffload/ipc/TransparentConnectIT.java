package io.dpuoffload.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.ipc.intercept.InterceptedLauncher;
import io.dpuoffload.linux.Seccomp;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transparent connect: a program started under interception calls connect() on a socket path
 * under a directory that holds the peer's sockets, and is connected to the peer's socket there. The
 * program is a static binary making raw system calls (no libc, as a Go program), so only the
 * seccomp interception can catch it. Connects elsewhere pass through to the kernel.
 */
class TransparentConnectIT {
    @TempDir
    static Path tools;

    static Path rawConnect;

    @TempDir
    Path work;

    @BeforeAll
    static void buildTheRawProgram() throws Exception {
        String missing = Seccomp.missingSupport();
        assumeTrue(missing == null, () -> "skipped: " + missing);
        Path source = tools.resolve("raw_connect.c");
        try (InputStream in = TransparentConnectIT.class.getResourceAsStream("/intercept/raw_connect.c")) {
            Files.copy(in, source);
        }
        rawConnect = tools.resolve("raw_connect");
        Process gcc;
        try {
            gcc = new ProcessBuilder(
                            "gcc",
                            "-static",
                            "-nostdlib",
                            "-ffreestanding",
                            "-fno-stack-protector",
                            "-no-pie",
                            "-O1",
                            "-o",
                            rawConnect.toString(),
                            source.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            assumeTrue(
                    false,
                    "skipped: gcc is not installed (./dpuo installs it), so the raw-syscall program cannot be built");
            return;
        }
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as("gcc: %s", output).isZero();
    }

    /** The host's directory and the DPU's view of it (in production: the same files through offload-fs). */
    private record Sides(Path host, Path view) {}

    private Sides sides() throws IOException {
        return new Sides(Files.createDirectories(work.resolve("host")), Files.createDirectories(work.resolve("view")));
    }

    private IpcPair pair(Sides sides) throws Exception {
        return new IpcPair(
                work,
                IpcPair.config("host-1", List.of(), List.of(sides.host().toString())),
                IpcPair.config("dpu-1", List.of(), List.of()));
    }

    private static PeerPaths peerPaths(Sides sides) {
        return new PeerPaths(List.of(new PeerPaths.Mapping(sides.view(), sides.host())));
    }

    @Test
    void aRawConnectReachesAHostSocketCreatedAfterTheProgramStarted() throws Exception {
        Sides sides = sides();
        try (IpcPair pair = pair(sides);
                InterceptedLauncher launcher = InterceptedLauncher.start(pair.dpu, peerPaths(sides))) {
            Process program = launcher.launch(new ProcessBuilder(
                    rawConnect.toString(), sides.view().resolve("monitor.sock").toString(), "hello host"));
            // Only now does the socket exist, on the host side only.
            try (ServerSocketChannel echo = EchoServers.stream(sides.host().resolve("monitor.sock"))) {
                assertThat(go(program)).isEqualTo("REPLY hello host");
                assertThat(program.exitValue()).isZero();
            }
            assertThat(launcher.supervisor().carried()).isEqualTo(1);
        }
    }

    @Test
    void theCallerSeesThePeersErrnoExactly() throws Exception {
        Sides sides = sides();
        ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        gone.bind(UnixDomainSocketAddress.of(sides.host().resolve("gone.sock")));
        gone.close(); // the file stays, nobody listens
        try (IpcPair pair = pair(sides);
                InterceptedLauncher launcher = InterceptedLauncher.start(pair.dpu, peerPaths(sides))) {
            assertThat(run(launcher, sides.view().resolve("none.sock"))).isEqualTo("ERRNO 2"); // ENOENT
            assertThat(run(launcher, sides.view().resolve("gone.sock"))).isEqualTo("ERRNO 111"); // ECONNREFUSED
        }
    }

    @Test
    void connectsElsewhereGoToTheKernelUntouched() throws Exception {
        Sides sides = sides();
        Path local = Files.createDirectories(work.resolve("local"));
        try (IpcPair pair = pair(sides);
                InterceptedLauncher launcher = InterceptedLauncher.start(pair.dpu, peerPaths(sides));
                ServerSocketChannel echo = EchoServers.stream(local.resolve("echo.sock"))) {
            assertThat(run(launcher, local.resolve("echo.sock"))).isEqualTo("REPLY hello host");
            // A local file of the same name as a host socket is not consulted: the host's answer counts.
            assertThat(run(launcher, local.resolve("none.sock"))).isEqualTo("ERRNO 2");
            assertThat(launcher.supervisor().carried()).isZero();
            assertThat(launcher.supervisor().passedThrough()).isEqualTo(2);
        }
    }

    @Test
    void aListenerOfThisSideInASharedDirectoryTakesTheConnect() throws Exception {
        Sides sides = sides();
        // libvirtd's QEMU monitor listener before QEMU runs on the host: bound here, in the shared directory.
        try (IpcPair pair = pair(sides);
                InterceptedLauncher launcher = InterceptedLauncher.start(pair.dpu, peerPaths(sides));
                ServerSocketChannel ours = EchoServers.stream(sides.view().resolve("monitor.sock"))) {
            assertThat(run(launcher, sides.view().resolve("monitor.sock"))).isEqualTo("REPLY hello host");
            assertThat(launcher.supervisor().carried()).isZero();
            assertThat(launcher.supervisor().passedThrough()).isEqualTo(1);
        }
    }

    @Test
    void aConnectRefusedHereBecauseThePeersBindReplacedTheFileIsCarriedToThePeer() throws Exception {
        Sides sides = sides();
        Path monitor = sides.view().resolve("monitor.sock");
        try (IpcPair pair = pair(sides);
                InterceptedLauncher launcher = InterceptedLauncher.start(pair.dpu, peerPaths(sides));
                ServerSocketChannel ours = EchoServers.stream(monitor);
                ServerSocketChannel peers = EchoServers.stream(sides.host().resolve("monitor.sock"))) {
            // What this side sees once QEMU's listener is bound at the host path and the DPU's cache
            // learnt it: the file at the path is a new socket, which nothing here listens on, while
            // our listener (bound at the same name) is still open until the hand-over closes it.
            Files.delete(monitor);
            ServerSocketChannel stranger = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            stranger.bind(UnixDomainSocketAddress.of(monitor));
            stranger.close(); // its file stays; the kernel alone would answer ECONNREFUSED
            assertThat(run(launcher, monitor)).isEqualTo("REPLY hello host");
            assertThat(launcher.supervisor().carried()).isEqualTo(1);
        }
    }

    private static String run(InterceptedLauncher launcher, Path socket) throws Exception {
        Process program = launcher.launch(new ProcessBuilder(rawConnect.toString(), socket.toString(), "hello host"));
        return go(program);
    }

    /** Lets the program connect now; its one line of output. */
    private static String go(Process program) throws Exception {
        program.getOutputStream().write('g');
        program.getOutputStream().flush();
        assertThat(program.waitFor(20, TimeUnit.SECONDS))
                .as("the program finished")
                .isTrue();
        return new String(program.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}
