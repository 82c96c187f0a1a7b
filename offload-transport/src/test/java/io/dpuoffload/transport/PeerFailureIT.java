package io.dpuoffload.transport;

import static io.dpuoffload.transport.Harness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.pki.PemFiles;
import io.dpuoffload.pki.TlsFiles;
import io.dpuoffload.transport.diagnostics.Diagnostics;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.TlsContexts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host side as a real process that dies (SIGKILL) or goes silent (SIGSTOP): in-flight requests
 * fail within bounded time with a typed error, and the client reconnects when the host returns.
 */
class PeerFailureIT {
    private static final Duration PEER_TIMEOUT = Duration.ofMillis(1500);

    @TempDir
    Path pkiDir;

    private final List<Process> hosts = new ArrayList<>();
    private OffloadClient client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        for (Process host : hosts) {
            signal(host, "CONT");
            host.destroyForcibly();
        }
    }

    @Test
    void killedHostFailsInFlightRequestsAtOnceAndTheClientReconnectsWhenItReturns() throws Exception {
        int port = freePort();
        Process host = startHost(port);
        client = OffloadClient.start(new Endpoint.Tcp("127.0.0.1", port), dpuConfig());
        assertThat(text(client.request(Diagnostics.ECHO, text("hi"), Duration.ofSeconds(10))
                        .get()))
                .isEqualTo("hi");
        var inFlight = client.request(Harness.HANG, text("wait"), Duration.ofSeconds(30));
        Thread.sleep(200);

        long killedAt = System.nanoTime();
        host.destroyForcibly(); // SIGKILL

        assertThatThrownBy(inFlight::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ConnectionLostException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(PEER_TIMEOUT.plusSeconds(1));

        startHost(port);
        await().atMost(Duration.ofSeconds(20)).until(client::isConnected);
        assertThat(text(client.request(Diagnostics.ECHO, text("back"), Duration.ofSeconds(10))
                        .get()))
                .isEqualTo("back");
    }

    @Test
    void silentHostIsDeclaredDeadWithinThePeerTimeout() throws Exception {
        int port = freePort();
        Process host = startHost(port);
        client = OffloadClient.start(new Endpoint.Tcp("127.0.0.1", port), dpuConfig());
        client.connection(Duration.ofSeconds(10));
        var inFlight = client.request(Harness.HANG, text("wait"), Duration.ofSeconds(60));
        Thread.sleep(200);

        long stoppedAt = System.nanoTime();
        signal(host, "STOP"); // alive to the kernel (TCP still answers), silent to us

        assertThatThrownBy(inFlight::get)
                .cause()
                .isInstanceOf(ConnectionLostException.class)
                .hasMessageContaining("sent nothing (not even a heartbeat) for " + PEER_TIMEOUT.toMillis() + " ms");
        assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThan(PEER_TIMEOUT.plusSeconds(2));

        signal(host, "CONT");
        await().atMost(Duration.ofSeconds(20)).until(client::isConnected);
        assertThat(text(client.request(Diagnostics.ECHO, text("awake"), Duration.ofSeconds(10))
                        .get()))
                .isEqualTo("awake");
    }

    private TransportConfig dpuConfig() {
        return TransportConfig.builder(Pki.DPU)
                .tls(TlsContexts.forClient(TlsFiles.inDirectory(pkiDir, Pki.DPU)))
                .heartbeatInterval(Duration.ofMillis(300))
                .peerTimeout(PEER_TIMEOUT)
                .reconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
                .build();
    }

    private Process startHost(int port) throws Exception {
        if (!Files.exists(pkiDir.resolve("ca.crt"))) {
            writePki();
        }
        String javaBinary = ProcessHandle.current().info().command().orElseThrow();
        Process host = new ProcessBuilder(
                        javaBinary,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        HostProcessMain.class.getName(),
                        pkiDir.toString(),
                        Integer.toString(port))
                .redirectErrorStream(true)
                .start();
        hosts.add(host);
        var output = new BufferedReader(new InputStreamReader(host.getInputStream()));
        var ready = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = output.readLine()) != null; ) {
                    if (line.equals("READY")) {
                        return true;
                    }
                }
                return false;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertThat(ready.get(30, TimeUnit.SECONDS))
                .as("host process printed READY")
                .isTrue();
        Thread.ofVirtual().start(() -> output.lines().forEach(line -> {})); // keep its pipe drained
        return host;
    }

    private void writePki() {
        Pki pki = new Pki();
        PemFiles.writeCertificate(pkiDir.resolve("ca.crt"), pki.ca.certificate(), false);
        for (String node : List.of(Pki.HOST, Pki.DPU)) {
            var credentials = pki.node(node);
            PemFiles.writeCertificate(pkiDir.resolve(node + ".crt"), credentials.certificate(), false);
            PemFiles.writePrivateKey(pkiDir.resolve(node + ".key"), credentials.privateKey(), false);
        }
    }

    private static void signal(Process process, String signal) {
        if (process.isAlive()) {
            try {
                new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                        .start()
                        .waitFor();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
