package io.dpuoffload.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.exec.gateway.ExecGateway;
import io.dpuoffload.exec.gateway.RexecBinary;
import io.dpuoffload.exec.host.ExecServer;
import io.dpuoffload.intercept.LocalListeners;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.TransportConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A durable run outlives its gateway, as a VM's QEMU outlives a DPU agent's restart: the host keeps
 * the program while no gateway is there, rexec comes back through the next gateway at the same
 * path, and the signal it got meanwhile reaches the program. One that does not come back within
 * the host's grace period finds its program ended, and says so.
 */
class DurableRunsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Prints "started", then waits; on SIGUSR1 it says so and exits 7. */
    private static final String PYTHON = "/usr/bin/python3";

    /** A DPU parent: listens at argv[1], passes it as descriptor 3 to argv[2:] (rexec and its program). */
    private static final String LISTEN_AND_EXEC = String.join(
            "\n",
            "import os, socket, sys",
            "s = socket.socket(socket.AF_UNIX)",
            "s.bind(sys.argv[1]); s.listen(4)",
            "os.dup2(s.fileno(), 3); os.set_inheritable(3, True)  # dup2 onto itself keeps close-on-exec",
            "os.execv(sys.argv[2], sys.argv[2:])");

    /** On the host: accepts one connection on descriptor 3 and says hello. */
    private static final String ACCEPT_ONCE = String.join(
            "\n",
            "import socket",
            "s = socket.socket(fileno=3)",
            "print('accepting', flush=True)",
            "c, _ = s.accept()",
            "c.sendall(b'hello'); c.close()");

    private static final String PROGRAM =
            "trap 'echo got-usr1; exit 7' USR1; echo started; while :; do sleep 0.1; done";

    @TempDir
    Path work;

    private ExecServer exec;
    private OffloadServer server;
    private OffloadClient client;
    private ExecGateway gateway;
    private Path rexec;
    private Path socket;

    /** A directory the host shares with the DPU, as each side sees it. */
    private Path dpuShare;

    private Path hostShare;

    void startHost(Duration grace) throws Exception {
        exec = new ExecServer(Set.of("/bin/sh", PYTHON), List.of(hostShare.toString())).keepDetachedRunsFor(grace);
        startServer();
    }

    private void startServer() throws Exception {
        server = ExecPair.serve(work, exec);
    }

    @BeforeEach
    void rexec() throws Exception {
        rexec = work.resolve("rexec");
        RexecBinary.writeClient(rexec);
        socket = work.resolve("gateway/exec.sock");
        dpuShare = Files.createDirectories(work.resolve("dpu/share"));
        hostShare = Files.createDirectories(work.resolve("host/share"));
    }

    /** A DPU agent's start: a connection to the host and a durable gateway at {@link #socket}. */
    private void startGateway() throws Exception {
        client = OffloadClient.start(
                server.boundEndpoint(), TransportConfig.builder("dpu-1").build(), connection -> {});
        OffloadClient connected = client;
        gateway = ExecGateway.startDurable(
                socket,
                () -> {
                    try {
                        return connected.connection(Duration.ofSeconds(10));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                List.of(),
                Duration.ofMinutes(1),
                new ExecGateway.Placement(
                        new PeerPaths(List.of(new PeerPaths.Mapping(dpuShare, hostShare))), Path.of("/")));
    }

    /** A DPU agent's stop: its gateway and its connection go; the runs' clients stay. */
    private void stopGateway() throws Exception {
        gateway.close();
        client.close();
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            stopGateway();
        }
        server.close();
        exec.close();
    }

    @Test
    void aSignalSentWhileNoGatewayIsThereReachesTheProgramOnceItsClientIsBack() throws Exception {
        Process run = startedRun(Duration.ofMinutes(1));

        stopGateway();
        Thread.sleep(500);
        assertThat(run.isAlive())
                .as("rexec waits for a gateway to come back to")
                .isTrue();
        run.toHandle().destroy(); // SIGTERM: the program does not trap it
        assertThat(run.waitFor(1, TimeUnit.SECONDS))
                .as("rexec holds the SIGTERM")
                .isFalse();

        startGateway();
        assertThat(run.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue())
                .as("the program, still running on the host, got the held SIGTERM when rexec came back")
                .isEqualTo(128 + 15);
    }

    @Test
    void aRunOutlivesItsGatewayAndEndsNormallyAfterComingBack() throws Exception {
        Process run = startedRun(Duration.ofMinutes(1));
        BufferedReader out = output(run);

        stopGateway();
        startGateway();
        signal(run, "USR1"); // held until rexec is back, or sent at once if it is already

        assertThat(run.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(out.readLine())
                .as("the program's output, through the new gateway")
                .isEqualTo("got-usr1");
        assertThat(run.exitValue()).isEqualTo(7);
    }

    @Test
    void aRunOutlivesACutLinkWhileItsGatewayStays() throws Exception {
        Process run = startedRun(Duration.ofMinutes(1));

        server.close(); // the link goes; the host's exec server and its runs stay
        Thread.sleep(1000);
        assertThat(run.isAlive()).as("rexec waits for the host to come back").isTrue();
        startServer(); // the gateway's client reconnects by itself
        signal(run, "USR1");
        assertThat(run.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(output(run).readLine()).isEqualTo("got-usr1");
        assertThat(run.exitValue()).isEqualTo(7);
    }

    /**
     * A signal that meets the gateway just as it loses the host: the gateway hands it back or rexec
     * cannot send it; either way rexec holds it until a gateway has the run again.
     */
    @Test
    void aSignalSentJustAfterTheLinkIsCutReachesTheProgramOnceTheLinkIsBack() throws Exception {
        Process run = startedRun(Duration.ofMinutes(1));
        BufferedReader out = output(run);

        server.close();
        await("the gateway's connection sees the cut").atMost(WAIT).until(() -> !client.isConnected());
        signal(run, "USR1");
        Thread.sleep(300);
        assertThat(run.isAlive()).as("the signal waits for the host").isTrue();
        startServer();

        assertThat(run.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("the held SIGUSR1 reached the program")
                .isTrue();
        assertThat(out.readLine()).isEqualTo("got-usr1");
        assertThat(run.exitValue()).isEqualTo(7);
    }

    @Test
    void aRunNotTakenBackWithinTheGracePeriodEndsAndItsClientSaysWhy() throws Exception {
        Process run = startedRun(Duration.ofSeconds(1));

        stopGateway();
        Thread.sleep(2500); // the host's grace period ends: it kills the program
        startGateway();
        assertThat(run.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).isEqualTo(255);
        assertThat(new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("the run is no longer on the host");
    }

    @Test
    void aListenerBoundInASharedDirectoryListensAtItsHostPathAndTheDpusCopyCloses() throws Exception {
        startHost(Duration.ofMinutes(1));
        startGateway();
        Path dpuSocket = dpuShare.resolve("monitor.sock");
        ProcessBuilder builder = new ProcessBuilder(
                PYTHON, "-c", LISTEN_AND_EXEC, dpuSocket.toString(), rexec.toString(), PYTHON, "-c", ACCEPT_ONCE);
        builder.environment().put("DPUO_EXEC_SOCKET", socket.toString());
        Process run = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        assertThat(first)
                .as(() -> "the program's first line; its stderr: " + stderrOf(run))
                .isEqualTo("accepting");

        await("no DPU copy of the listener is left once the program runs on the host")
                .atMost(WAIT)
                .until(() -> !LocalListeners.listensAt(dpuSocket.toString()));
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(hostShare.resolve("monitor.sock")))) {
            ByteBuffer hello = ByteBuffer.allocate(16);
            while (client.read(hello) >= 0 && hello.position() < 5) {}
            assertThat(new String(hello.array(), 0, hello.position(), StandardCharsets.UTF_8))
                    .as("the host program accepted a connection made at the host path")
                    .isEqualTo("hello");
        }
        assertThat(run.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).isZero();
    }

    /**
     * libvirt's start of a domain: the child keeps the pid file it locked (under the root's /run, the
     * DPU's own) and a file under a share. The shared one is opened again on the host; the DPU's own
     * stays behind without a warning anywhere (the host could never open it, and nothing there needs
     * it), and without a line in the program's log.
     */
    @Test
    void aFileOfTheDpusOwnStaysThereQuietlyWhileASharedOneReachesTheHost() throws Exception {
        startHost(Duration.ofMinutes(1));
        startGateway();
        Path pidFile = Files.writeString(
                Files.createDirectories(work.resolve("dpu/run")).resolve("vm.pid"), "4242\n");
        Path shared = Files.writeString(dpuShare.resolve("disk.img"), "shared\n");
        Files.writeString(hostShare.resolve("disk.img"), "shared\n");
        String passBoth = String.join(
                "\n",
                "import os, sys",
                "for number, path in ((3, sys.argv[1]), (4, sys.argv[2])):",
                "    assert os.open(path, os.O_RDONLY) == number",
                "    os.set_inheritable(number, True)",
                "os.execv(sys.argv[3], sys.argv[3:])");
        String listFds = String.join(
                "\n",
                "import os",
                "for number in (3, 4):",
                "    try:",
                "        print(number, os.read(number, 64).decode().strip())",
                "    except OSError:",
                "        print(number, 'absent')");
        ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var lines = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        lines.start();
        root.addAppender(lines);
        try {
            ProcessBuilder builder = new ProcessBuilder(
                    PYTHON,
                    "-c",
                    passBoth,
                    pidFile.toString(),
                    shared.toString(),
                    rexec.toString(),
                    PYTHON,
                    "-c",
                    listFds);
            builder.environment().put("DPUO_EXEC_SOCKET", socket.toString());
            Process run = builder.start();
            assertThat(run.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("3 absent\n4 shared\n");
            assertThat(stderrOf(run)).as("the program's log").isEmpty();
            assertThat(run.exitValue()).isZero();
        } finally {
            root.detachAppender(lines);
        }
        assertThat(lines.list)
                .as("nothing for an operator to act on: no warning, no audit line")
                .noneMatch(line -> line.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
    }

    private static String stderrOf(Process run) {
        try {
            return new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /** {@link #PROGRAM} through rexec, on a host that keeps lost runs for {@code grace}, once it has started. */
    private Process startedRun(Duration grace) throws Exception {
        startHost(grace);
        startGateway();
        ProcessBuilder builder = new ProcessBuilder(rexec.toString(), "/bin/sh", "-c", PROGRAM);
        builder.environment().put("DPUO_EXEC_SOCKET", socket.toString());
        Process run = builder.start();
        outputs.put(run, new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8)));
        assertThat(output(run).readLine()).isEqualTo("started");
        return run;
    }

    private final java.util.Map<Process, BufferedReader> outputs = new java.util.HashMap<>();

    private BufferedReader output(Process run) {
        return outputs.get(run);
    }

    private static void signal(Process run, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(run.pid()))
                .inheritIO()
                .start()
                .waitFor();
    }
}
