package io.dpuoffload.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.exec.gateway.ExecGateway;
import io.dpuoffload.exec.gateway.RexecBinary;
import io.dpuoffload.exec.host.ExecServer;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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

    void startHost(Duration grace) throws Exception {
        exec = new ExecServer(Set.of("/bin/sh")).keepDetachedRunsFor(grace);
        server = OffloadServer.start(
                new Endpoint.Unix(work.resolve("channel.sock")),
                TransportConfig.builder("host-1")
                        .services(exec.register(Services.builder()).build())
                        .build(),
                connection -> {});
    }

    @BeforeEach
    void rexec() throws Exception {
        rexec = work.resolve("rexec");
        RexecBinary.writeClient(rexec);
        socket = work.resolve("gateway/exec.sock");
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
                new ExecGateway.Placement(new io.dpuoffload.ipc.config.PeerPaths(List.of()), Path.of("/")));
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
        startHost(Duration.ofMinutes(1));
        startGateway();
        Process run = startRexec();
        BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("started");

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
        startHost(Duration.ofMinutes(1));
        startGateway();
        Process run = startRexec();
        BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("started");

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
    void aRunNotTakenBackWithinTheGracePeriodEndsAndItsClientSaysWhy() throws Exception {
        startHost(Duration.ofSeconds(1));
        startGateway();
        Process run = startRexec();
        BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("started");

        stopGateway();
        Thread.sleep(2500); // the host's grace period ends: it kills the program
        startGateway();
        assertThat(run.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).isEqualTo(255);
        assertThat(new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("the run is no longer on the host");
    }

    private Process startRexec() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(rexec.toString(), "/bin/sh", "-c", PROGRAM);
        builder.environment().put("DPUO_EXEC_SOCKET", socket.toString());
        return builder.start();
    }

    private static void signal(Process run, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(run.pid()))
                .inheritIO()
                .start()
                .waitFor();
    }
}
