package io.dpuoffload.exec;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dpuoffload.exec.gateway.ExecGateway;
import io.dpuoffload.exec.gateway.RexecBinary;
import io.dpuoffload.exec.host.ExecServer;
import io.dpuoffload.exec.wire.ExecWire;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.TransportException;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A start that never completes is noticed: when the host neither starts a program nor refuses it
 * within the start bound, rexec says so and exits 255, the gateway logs it, and the run is
 * cancelled on the host (which kills a program it starts late). The bound covers only the start: a
 * program that runs longer than it is not touched. And what a start does on the host never waits
 * for another process (a passed file found to be a fifo there).
 */
class StartBoundIT {
    /** Short, so that the test is; the default is RemoteRun.START_BOUND. */
    private static final Duration BOUND = Duration.ofSeconds(2);

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void aStartTheHostNeverCompletesFailsWithTheReasonWithinTheBound() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        // A host that takes the run's stream and never starts its program (its threads all held, an
        // exec that hangs): it reads until the stream is cancelled.
        Services stuck = Services.builder()
                .onStream(ExecWire.EXEC, (context, stream, header) -> {
                    try {
                        while (stream.read() != null) {
                            // whatever the client sends (stdin's end) goes nowhere
                        }
                    } catch (TransportException e) {
                        cancelled.countDown();
                    }
                })
                .build();
        Logger gatewayLog = (Logger) LoggerFactory.getLogger("io.dpuoffload.exec.gateway.GatewaySession");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        gatewayLog.addAppender(logged);
        try (OffloadServer server = OffloadServer.start(
                        new Endpoint.Unix(work.resolve("channel.sock")),
                        TransportConfig.builder("host-1").services(stuck).build(),
                        connection -> {});
                OffloadClient client = OffloadClient.start(
                        server.boundEndpoint(), TransportConfig.builder("dpu-1").build(), c -> {});
                ExecGateway gateway = gateway(client)) {
            long began = System.nanoTime();
            Process rexec = rexec(gateway, "/bin/true");
            assertThat(rexec.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("rexec ended")
                    .isTrue();
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            String stderr = new String(rexec.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(rexec.exitValue())
                    .as("rexec's status; its stderr: %s", stderr)
                    .isEqualTo(255);
            assertThat(stderr).contains("rexec: the host did not start /bin/true within 2 s");
            assertThat(took).as("rexec's run").isLessThan(BOUND.plusSeconds(10));
            assertThat(cancelled.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the run's stream cancelled on the host")
                    .isTrue();
            assertThat(logged.list).as("the gateway's log").anySatisfy(event -> assertThat(event.getFormattedMessage())
                    .contains("did not start /bin/true within 2 s"));
        } finally {
            gatewayLog.detachAppender(logged);
        }
    }

    @Test
    void aProgramThatRunsLongerThanTheBoundIsNotTouched() throws Exception {
        try (ExecPair pair = new ExecPair(work, Set.of("/bin/sleep"));
                ExecGateway gateway = gateway(pair.client)) {
            Process rexec = rexec(gateway, "/bin/sleep", "4");
            assertThat(rexec.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(rexec.exitValue())
                    .as(new String(rexec.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isZero();
        }
    }

    /**
     * A file the DPU parent passed is opened again on the host by its path; what is there may be a
     * fifo, whose blocking open would wait for a writer for ever and hold the start (and, on a
     * stream handler's virtual thread, its carrier). The program starts without that descriptor,
     * and the client hears which one.
     */
    @Test
    void aPassedFileThatIsAFifoOnTheHostDoesNotHoldTheStart() throws Exception {
        Path dpuShare = java.nio.file.Files.createDirectories(work.resolve("dpu/share"));
        Path hostShare = java.nio.file.Files.createDirectories(work.resolve("host/share"));
        java.nio.file.Files.writeString(dpuShare.resolve("state"), "on the DPU a regular file\n");
        Process mkfifo = new ProcessBuilder("mkfifo", hostShare.resolve("state").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        ExecServer exec = new ExecServer(Set.of("/bin/sh"), List.of(hostShare.toString()));
        try (OffloadServer server = ExecPair.serve(work, exec);
                OffloadClient client = OffloadClient.start(
                        server.boundEndpoint(), TransportConfig.builder("dpu-1").build(), c -> {});
                ExecGateway gateway = ExecGateway.startDurable(
                                work.resolve("gateway/exec.sock"),
                                connection(client),
                                List.of(),
                                Duration.ofMinutes(1),
                                new ExecGateway.Placement(
                                        new PeerPaths(List.of(new PeerPaths.Mapping(dpuShare, hostShare))),
                                        Path.of("/")))
                        .boundStartsTo(BOUND)) {
            Path rexec = rexecBinary();
            // The DPU parent opens the file as descriptor 3 and runs rexec, which the program inherits it from.
            ProcessBuilder builder = new ProcessBuilder(
                    "/bin/sh",
                    "-c",
                    "exec 3<\"$1\"; exec \"$2\" /bin/sh -c '[ -e /proc/self/fd/3 ] && echo has-3 || echo no-3'",
                    "sh",
                    dpuShare.resolve("state").toString(),
                    rexec.toString());
            builder.environment().put("DPUO_EXEC_SOCKET", gateway.socket().toString());
            Process run = builder.start();
            assertThat(run.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("rexec ended")
                    .isTrue();
            String stdout = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(run.exitValue())
                    .as("the program's status; stderr: %s", stderr)
                    .isZero();
            assertThat(stdout).isEqualTo("no-3\n");
            assertThat(stderr).contains("descriptor 3 could not be made on the host");
        } finally {
            exec.close();
        }
    }

    private static Supplier<OffloadConnection> connection(OffloadClient client) {
        return () -> {
            try {
                return client.connection(Duration.ofSeconds(10));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private Path rexecBinary() throws Exception {
        Path rexec = work.resolve("rexec");
        if (!rexec.toFile().exists()) {
            RexecBinary.writeClient(rexec);
        }
        return rexec;
    }

    private ExecGateway gateway(OffloadClient client) throws Exception {
        return ExecGateway.start(work.resolve("gateway/exec.sock"), connection(client), List.of())
                .boundStartsTo(BOUND);
    }

    private Process rexec(ExecGateway gateway, String... command) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(rexecBinary().toString()));
        args.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(args).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("DPUO_EXEC_SOCKET", gateway.socket().toString());
        return builder.start();
    }
}
