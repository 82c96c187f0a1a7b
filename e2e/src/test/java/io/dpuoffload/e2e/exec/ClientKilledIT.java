package io.dpuoffload.e2e.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.exec.host.ExecServer;
import io.dpuoffload.topology.Node;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM client (`offloadctl exec run`) SIGKILLed at random moments: before it connects, while the
 * program starts, while it runs with a daemonized descendant. Afterwards no process of any run is
 * left on the host: the exec server kills a run whose client is gone, descendants included. (The
 * 100-run version of this is for rexec, the client daemons use: RexecAcrossNamespacesIT; each run
 * here starts a JVM, so fewer runs keep the suite short.)
 */
class ClientKilledIT {
    private static final int RUNS = 30;
    private static final int AT_ONCE = 4;

    @TempDir
    Path work;

    @Test
    void noRemoteProcessOutlivesAKilledClient() throws Exception {
        Path config = Files.writeString(work.resolve("dpu.yaml"), "node: dpu-1\npki: " + work.resolve("no-pki") + "\n");
        String marker = "dpuo-killed-" + ProcessHandle.current().pid();
        try (ExecServer exec = new ExecServer(Set.of("/bin/sh"));
                OffloadServer server = OffloadServer.start(
                        new Endpoint.Unix(work.resolve("exec.sock")),
                        TransportConfig.builder("host-1")
                                .services(exec.register(Services.builder()).build())
                                .build(),
                        connection -> {})) {
            ExecutorService clients = Executors.newFixedThreadPool(AT_ONCE);
            Random random = new Random(42);
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                long killAfterMillis = random.nextInt(100) < 25 ? random.nextInt(1500) : -1 - random.nextInt(300);
                String script =
                        "setsid sleep 1000 " + marker + " </dev/null >/dev/null 2>&1 & echo started; exec sleep 999";
                runs.add(clients.submit(() -> {
                    runAndKill(server.boundEndpoint().toString(), config, script, killAfterMillis);
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(5, TimeUnit.MINUTES);
            }
            clients.shutdown();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(survivors(marker))
                            .as("processes of killed clients' runs")
                            .isEmpty());
        }
    }

    /**
     * Starts a client; kills it {@code killAfterMillis} after start (≥ 0), or that long (as -1 - ms)
     * after the program reported that it started.
     */
    private static void runAndKill(String endpoint, Path config, String script, long killAfterMillis) throws Exception {
        List<String> command = Node.javaCommand(
                Offloadctl.class.getName(),
                List.of("--enable-native-access=ALL-UNNAMED"),
                List.of(
                        "exec",
                        "run",
                        "--server",
                        endpoint,
                        "--config",
                        config.toString(),
                        "--",
                        "/bin/sh",
                        "-c",
                        script));
        Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (killAfterMillis >= 0) {
                Thread.sleep(killAfterMillis);
            } else {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.equals("started")) {
                    // the client's own start-up lines, if any
                }
                Thread.sleep(-1 - killAfterMillis);
            }
        } finally {
            client.destroyForcibly(); // SIGKILL
            client.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> survivors(String marker) throws Exception {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
                    if (cmdline.contains(marker) && !cmdline.contains("exec run")) {
                        found.add(proc.getFileName() + ": " + cmdline.strip());
                    }
                } catch (java.io.IOException e) {
                    // gone meanwhile
                }
            }
        }
        return found;
    }
}
