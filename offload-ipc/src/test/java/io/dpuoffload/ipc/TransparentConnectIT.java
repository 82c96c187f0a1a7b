package io.dpuoffload.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.intercept.InterceptedLauncher;
import io.dpuoffload.intercept.InterceptionUnavailableException;
import io.dpuoffload.intercept.Interceptions;
import io.dpuoffload.intercept.RawConnectProgram;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.ipc.transparent.TransparentConnect;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    static RawConnectProgram rawConnect;

    @TempDir
    Path work;

    @BeforeAll
    static void buildTheRawProgram() throws Exception {
        rawConnect = RawConnectProgram.build();
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

    /** Transparent connect of {@code pair}'s DPU to the host's directory, and a launcher with it. */
    private record Intercepted(TransparentConnect connects, InterceptedLauncher launcher) implements AutoCloseable {
        static Intercepted start(IpcPair pair, Sides sides) throws InterceptionUnavailableException {
            var connects = new TransparentConnect(
                    pair.dpu, new PeerPaths(List.of(new PeerPaths.Mapping(sides.view(), sides.host()))));
            return new Intercepted(
                    connects, InterceptedLauncher.start(Interceptions.none().withConnect(connects)));
        }

        String run(Path socket) throws Exception {
            return rawConnect.run(launcher, socket);
        }

        @Override
        public void close() {
            launcher.close();
        }
    }

    @Test
    void aRawConnectReachesAHostSocketCreatedAfterTheProgramStarted() throws Exception {
        Sides sides = sides();
        try (IpcPair pair = pair(sides);
                Intercepted intercepted = Intercepted.start(pair, sides)) {
            Process program =
                    rawConnect.start(intercepted.launcher(), sides.view().resolve("monitor.sock"));
            // Only now does the socket exist, on the host side only.
            try (ServerSocketChannel echo = EchoServers.stream(sides.host().resolve("monitor.sock"))) {
                assertThat(RawConnectProgram.go(program)).isEqualTo("REPLY hello host");
                assertThat(program.exitValue()).isZero();
            }
            assertThat(intercepted.connects().carried()).isEqualTo(1);
        }
    }

    @Test
    void theCallerSeesThePeersErrnoExactly() throws Exception {
        Sides sides = sides();
        ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        gone.bind(UnixDomainSocketAddress.of(sides.host().resolve("gone.sock")));
        gone.close(); // the file stays, nobody listens
        try (IpcPair pair = pair(sides);
                Intercepted intercepted = Intercepted.start(pair, sides)) {
            assertThat(intercepted.run(sides.view().resolve("none.sock"))).isEqualTo("ERRNO 2"); // ENOENT
            assertThat(intercepted.run(sides.view().resolve("gone.sock"))).isEqualTo("ERRNO 111"); // ECONNREFUSED
        }
    }

    @Test
    void connectsElsewhereGoToTheKernelUntouched() throws Exception {
        Sides sides = sides();
        Path local = Files.createDirectories(work.resolve("local"));
        try (IpcPair pair = pair(sides);
                Intercepted intercepted = Intercepted.start(pair, sides);
                ServerSocketChannel echo = EchoServers.stream(local.resolve("echo.sock"))) {
            assertThat(intercepted.run(local.resolve("echo.sock"))).isEqualTo("REPLY hello host");
            // A local file of the same name as a host socket is not consulted: the host's answer counts.
            assertThat(intercepted.run(local.resolve("none.sock"))).isEqualTo("ERRNO 2");
            assertThat(intercepted.connects().carried()).isZero();
            assertThat(intercepted.connects().passedThrough()).isEqualTo(2);
        }
    }

    @Test
    void aListenerOfThisSideInASharedDirectoryTakesTheConnect() throws Exception {
        Sides sides = sides();
        // libvirtd's QEMU monitor listener before QEMU runs on the host: bound here, in the shared directory.
        try (IpcPair pair = pair(sides);
                Intercepted intercepted = Intercepted.start(pair, sides);
                ServerSocketChannel ours = EchoServers.stream(sides.view().resolve("monitor.sock"))) {
            assertThat(intercepted.run(sides.view().resolve("monitor.sock"))).isEqualTo("REPLY hello host");
            assertThat(intercepted.connects().carried()).isZero();
            assertThat(intercepted.connects().passedThrough()).isEqualTo(1);
        }
    }

    @Test
    void aConnectRefusedHereBecauseThePeersBindReplacedTheFileIsCarriedToThePeer() throws Exception {
        Sides sides = sides();
        Path monitor = sides.view().resolve("monitor.sock");
        try (IpcPair pair = pair(sides);
                Intercepted intercepted = Intercepted.start(pair, sides);
                ServerSocketChannel ours = EchoServers.stream(monitor);
                ServerSocketChannel peers = EchoServers.stream(sides.host().resolve("monitor.sock"))) {
            // What this side sees once QEMU's listener is bound at the host path and the DPU's cache
            // learnt it: the file at the path is a new socket, which nothing here listens on, while
            // our listener (bound at the same name) is still open until the hand-over closes it.
            Files.delete(monitor);
            ServerSocketChannel stranger = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            stranger.bind(UnixDomainSocketAddress.of(monitor));
            stranger.close(); // its file stays; the kernel alone would answer ECONNREFUSED
            assertThat(intercepted.run(monitor)).isEqualTo("REPLY hello host");
            assertThat(intercepted.connects().carried()).isEqualTo(1);
        }
    }
}
