package io.dpuoffload.e2e.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.e2e.TestPki;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * offload-ipc as deployed: `offloadctl ipc serve` on the host node, `offloadctl ipc connect` on the
 * DPU node, mutual TLS across the veth pair. A DPU program talks to a host socket through a forward;
 * a forward to a socket the host does not allow ends at once with an audit line on the host; the
 * host going away ends a carried connection in bounded time, and after its restart the DPU
 * reconnects and carries new connections.
 */
@ExtendWith(TopologyExtension.class)
class IpcAcrossNamespacesIT {
    private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");

    /*
     * The programs below print each line with one write: they share their stdout with the ipc run
     * that starts them, whose log lines would otherwise land between a line and its newline (print
     * writes the two apart when Python's output is unbuffered, as PYTHONUNBUFFERED makes it).
     */

    /** A stream echo server: each connection's bytes come back, then its half-close. */
    static final String ECHO_SERVER = """
            import socket, sys, threading
            s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(64)
            sys.stdout.write("LISTENING\\n"); sys.stdout.flush()
            def serve(c):
                while True:
                    d = c.recv(65536)
                    if not d: break
                    c.sendall(d)
                c.shutdown(socket.SHUT_WR); c.close()
            while True:
                c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
            """;

    /** Sends argv[2], half-closes, prints what comes back before end of file. */
    private static final String ECHO_CLIENT = """
            import socket, sys
            c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])
            c.sendall(sys.argv[2].encode()); c.shutdown(socket.SHUT_WR)
            back = b""
            while True:
                d = c.recv(65536)
                if not d: break
                back += d
            sys.stdout.write("ECHO[" + back.decode() + "]\\n")
            """;

    /** Holds a connection open; prints when it ends and how long that took after "GO" on stdin. */
    private static final String WAITING_CLIENT = """
            import socket, sys, time
            c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])
            c.sendall(b"x"); assert c.recv(1) == b"x"
            sys.stdout.write("CONNECTED\\n"); sys.stdout.flush()
            sys.stdin.readline(); start = time.time()
            try:
                d = c.recv(1)
            except OSError:
                d = b""
            sys.stdout.write("ENDED %s after %.1f s" % (d == b"", time.time() - start) + "\\n"); sys.stdout.flush()
            """;

    /** Says STARTED, waits for a line on stdin, then connects to argv[1] and echoes argv[2] through it. */
    private static final String LATE_CLIENT = """
            import socket, sys
            sys.stdout.write("STARTED\\n"); sys.stdout.flush()
            sys.stdin.readline()
            c = socket.socket(socket.AF_UNIX)
            try:
                c.connect(sys.argv[1])
            except OSError as e:
                sys.stdout.write("ERRNO %d" % e.errno + "\\n"); sys.stdout.flush(); sys.exit(1)
            c.sendall(sys.argv[2].encode()); c.shutdown(socket.SHUT_WR)
            back = b""
            while True:
                d = c.recv(65536)
                if not d: break
                back += d
            sys.stdout.write("ECHO[" + back.decode() + "]\\n"); sys.stdout.flush()
            """;

    /** Receives one message with three descriptors (file, pipe read end, socket) and reports on each. */
    private static final String FD_SERVER = """
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
            sys.stdout.write("LISTENING\\n"); sys.stdout.flush()
            c, _ = s.accept()
            msg, fds, _, _ = socket.recv_fds(c, 16, 8)
            sys.stdout.write("COUNT %d" % len(fds) + "\\n"); sys.stdout.flush()
            sys.stdout.write("FILE %d %s" % (os.lseek(fds[0], 0, os.SEEK_CUR), os.read(fds[0], 100).decode()) + "\\n"); sys.stdout.flush()
            data = b""
            while True:
                d = os.read(fds[1], 100)
                if not d: break
                data += d
            sys.stdout.write("PIPE %s" % data.decode() + "\\n"); sys.stdout.flush()
            socket.socket(fileno=fds[2]).sendall(b"pong from the host")
            """;

    /** Passes a file read from offset 4, a pipe's read end and a socket; feeds the pipe; prints the socket's answer. */
    private static final String FD_CLIENT = """
            import os, socket, sys
            c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])
            f = open(sys.argv[2], "rb"); f.seek(4)
            r, w = os.pipe()
            mine, theirs = socket.socketpair()
            socket.send_fds(c, [b"m"], [f.fileno(), r, theirs.fileno()])
            f.close(); os.close(r); theirs.close()
            os.write(w, b"via the pipe"); os.close(w)
            sys.stdout.write("ANSWER " + mine.recv(100).decode() + "\\n"); sys.stdout.flush()
            """;

    @TempDir
    Path work;

    /** Certificates for host-1 and dpu-1, in {@link #work}, which every node process can reach. */
    private Path pki;

    @BeforeEach
    void certificates() throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        pki = TestPki.create(work.resolve("pki"));
    }

    /** SCM_RIGHTS across real namespaces: the host process gets the file (offset kept), the pipe and the socket. */
    @Test
    void descriptorsPassedOnTheDpuArriveOnTheHost(Topology topology) throws Exception {
        Path hostDir = Files.createDirectories(work.resolve("host"));
        Path dpuDir = Files.createDirectories(work.resolve("dpu"));
        Path shared = Files.createDirectories(work.resolve("shared"));
        Path data = Files.writeString(shared.resolve("data.txt"), "0123456789");
        Path hostConfig = hostConfig(hostDir, shared);
        Path dpuConfig = dpuConfig("""
                forwards:
                  - listen: %s/fd.sock
                    to: %s/fd.sock
                """.formatted(dpuDir, hostDir));
        NodeProcess receiver = listening(topology, FD_SERVER, hostDir + "/fd.sock");
        NodeProcess host = serve(topology, hostConfig);
        NodeProcess dpu = connect(topology, dpuConfig);

        var sender =
                dpu.runInside(Duration.ofSeconds(30), "python3", "-c", FD_CLIENT, dpuDir + "/fd.sock", data.toString());
        assertThat(sender.orThrow().stdout()).contains("ANSWER pong from the host");
        assertThat(receiver.awaitLine(Pattern.compile("COUNT .*"), Duration.ofSeconds(10)))
                .isEqualTo("COUNT 3");
        assertThat(receiver.awaitLine(Pattern.compile("FILE .*"), Duration.ofSeconds(10)))
                .isEqualTo("FILE 4 456789");
        assertThat(receiver.awaitLine(Pattern.compile("PIPE .*"), Duration.ofSeconds(10)))
                .isEqualTo("PIPE via the pipe");
        dpu.stop();
        host.stop();
        receiver.stop();
    }

    /**
     * Transparent connect as deployed: `offloadctl ipc run` on the DPU node starts a program whose
     * connect() to a path under the DPU's view of a host directory reaches the host socket there,
     * created only after the program started; a path with no socket on the host gives ENOENT.
     */
    @Test
    void aProgramRunOnTheDpuReachesAHostSocketByItsPathAlone(Topology topology) throws Exception {
        Path hostDir = Files.createDirectories(work.resolve("host"));
        Path viewDir = Files.createDirectories(work.resolve("view"));
        Path hostConfig = hostConfig(hostDir);
        Path dpuConfig = dpuConfig("""
                transparent:
                  - local: %s
                    peer: %s
                """.formatted(viewDir, hostDir));
        NodeProcess host = serve(topology, hostConfig);

        NodeProcess program = run(topology, dpuConfig, viewDir + "/monitor.sock", "no patches needed");
        program.awaitLine(Pattern.compile("STARTED"), Duration.ofSeconds(60));
        NodeProcess echo = listening(topology, ECHO_SERVER, hostDir + "/monitor.sock");
        program.stdin().write("GO\n".getBytes());
        program.stdin().flush();
        assertThat(program.awaitLine(Pattern.compile("ECHO.*"), Duration.ofSeconds(20)))
                .isEqualTo("ECHO[no patches needed]");
        assertThat(program.waitFor(Duration.ofSeconds(20)))
                .as("ipc run exits with the program's status")
                .isZero();

        NodeProcess missing = run(topology, dpuConfig, viewDir + "/none.sock", "x");
        missing.awaitLine(Pattern.compile("STARTED"), Duration.ofSeconds(60));
        missing.stdin().write("GO\n".getBytes());
        missing.stdin().flush();
        assertThat(missing.awaitLine(Pattern.compile("ERRNO.*"), Duration.ofSeconds(20)))
                .isEqualTo("ERRNO 2");
        assertThat(missing.waitFor(Duration.ofSeconds(20))).isEqualTo(1);
        echo.stop();
        host.stop();
    }

    private static NodeProcess run(Topology topology, Path config, String socket, String message) {
        return topology.dpu()
                .startJava(
                        Offloadctl.class.getName(),
                        JVM,
                        List.of(
                                "ipc",
                                "run",
                                "--server",
                                "tcp://198.51.100.1:7200",
                                "--config",
                                config.toString(),
                                "--",
                                "python3",
                                "-c",
                                LATE_CLIENT,
                                socket,
                                message));
    }

    @Test
    void aDpuProgramTalksToAHostSocketOverMutualTlsAndALostHostEndsItsConnection(Topology topology) throws Exception {
        Path hostDir = Files.createDirectories(work.resolve("host"));
        Path dpuDir = Files.createDirectories(work.resolve("dpu"));
        Path secretDir = Files.createDirectories(work.resolve("secret"));
        Path hostConfig = hostConfig(hostDir);
        Path dpuConfig = dpuConfig("""
                forwards:
                  - listen: %s/echo.sock
                    to: %s/echo.sock
                  - listen: %s/admin.sock
                    to: %s/admin.sock
                """.formatted(dpuDir, hostDir, dpuDir, secretDir));

        NodeProcess echo = listening(topology, ECHO_SERVER, hostDir + "/echo.sock");
        NodeProcess secret = listening(topology, ECHO_SERVER, secretDir + "/admin.sock");
        NodeProcess host = serve(topology, hostConfig);
        NodeProcess dpu = connect(topology, dpuConfig);

        var echoed =
                dpu.runInside(Duration.ofSeconds(20), "python3", "-c", ECHO_CLIENT, dpuDir + "/echo.sock", "over mTLS");
        assertThat(echoed.orThrow().stdout()).contains("ECHO[over mTLS]");

        var refused = dpu.runInside(
                Duration.ofSeconds(20), "python3", "-c", ECHO_CLIENT, dpuDir + "/admin.sock", "let me in");
        assertThat(refused.orThrow().stdout())
                .as("the host refuses: the connection ends at once")
                .contains("ECHO[]");
        host.awaitLine(
                Pattern.compile(".*denied peer=.*dpu-1.* op=connect path=.*admin.sock.*"), Duration.ofSeconds(10));

        NodeProcess waiting = topology.dpu().start(List.of("python3", "-c", WAITING_CLIENT, dpuDir + "/echo.sock"));
        waiting.awaitLine(Pattern.compile("CONNECTED"), Duration.ofSeconds(20));
        host.stop(); // SIGTERM: the host side goes away mid-connection
        waiting.stdin().write("GO\n".getBytes());
        waiting.stdin().flush();
        String ended = waiting.awaitLine(Pattern.compile("ENDED .*"), Duration.ofSeconds(20));
        assertThat(ended).startsWith("ENDED True");

        NodeProcess again = serve(topology, hostConfig);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(dpu.runInside(
                                        Duration.ofSeconds(20),
                                        "python3",
                                        "-c",
                                        ECHO_CLIENT,
                                        dpuDir + "/echo.sock",
                                        "again")
                                .stdout())
                        .as("the DPU reconnected by itself")
                        .contains("ECHO[again]"));
        again.stop();
        dpu.stop();
        echo.stop();
        secret.stop();
    }

    /** The host's ipc serve configuration, allowing {@code allowed}. */
    private Path hostConfig(Path... allowed) throws Exception {
        return Files.writeString(work.resolve("host.yaml"), """
                node: host-1
                listen: tcp://198.51.100.1:7200
                pki: %s
                peers: [dpu-1]
                allow: %s
                """.formatted(pki, List.of(allowed)));
    }

    /** The DPU's ipc connect configuration: identity, then {@code forwardsOrTransparent}. */
    private Path dpuConfig(String forwardsOrTransparent) throws Exception {
        return Files.writeString(work.resolve("dpu.yaml"), """
                node: dpu-1
                pki: %s
                peers: [host-1]
                """.formatted(pki) + forwardsOrTransparent);
    }

    /** A python3 server on the host node, once it says it listens on {@code socket}. */
    private static NodeProcess listening(Topology topology, String server, String socket) {
        NodeProcess process = topology.host().start(List.of("python3", "-c", server, socket));
        process.awaitLine(Pattern.compile("LISTENING"), Duration.ofSeconds(20));
        return process;
    }

    /** {@code ipc connect} on the DPU node to the host's {@code ipc serve}, once connected. */
    static NodeProcess connect(Topology topology, Path config) {
        NodeProcess dpu = topology.dpu()
                .startJava(
                        Offloadctl.class.getName(),
                        JVM,
                        List.of(
                                "ipc",
                                "connect",
                                "--server",
                                "tcp://198.51.100.1:7200",
                                "--config",
                                config.toString()));
        dpu.awaitLine(Pattern.compile("CONNECTED .*"), Duration.ofSeconds(60));
        return dpu;
    }

    private static NodeProcess serve(Topology topology, Path config) {
        NodeProcess host = topology.host()
                .startJava(Offloadctl.class.getName(), JVM, List.of("ipc", "serve", "--config", config.toString()));
        host.awaitLine(Pattern.compile("READY .*"), Duration.ofSeconds(60));
        return host;
    }
}
