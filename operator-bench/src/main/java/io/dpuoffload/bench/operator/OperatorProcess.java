package io.dpuoffload.bench.operator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator in a JVM of its own, as it runs in its pod: the production main class on the
 * operator's runtime class path, a kubeconfig for the mock server, its endpoints on loopback. Its
 * memory and CPU time are read from /proc, for that process alone.
 */
final class OperatorProcess implements AutoCloseable {
    static final String MAIN = "io.dpuoffload.operator.OperatorMain";
    /** SIGTERM first, as the kubelet does; the operator stops its informers and endpoints in well under this. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    /** One scrape or probe of a local endpoint; a busy operator still answers in milliseconds. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(REQUEST_TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private OperatorProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@link #MAIN} with {@code jvmOptions} and the jars {@code classpath} names, its output
     * going to {@code dir}/operator.log.
     */
    static OperatorProcess start(
            List<Path> classpath,
            List<String> jvmOptions,
            Path kubeconfig,
            String namespace,
            boolean leaderElection,
            Path dir)
            throws IOException {
        int port = freeLoopbackPort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(String.join(":", classpath.stream().map(Path::toString).toList()));
        command.add(MAIN);
        command.addAll(List.of("--namespace", namespace, "--identity", "operator-bench", "--port", "" + port));
        command.add(leaderElection ? "--leader-election" : "--no-leader-election");
        Path log = dir.resolve("operator.log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        // Nothing of a cluster this machine may be in: the operator finds its API server in the kubeconfig.
        builder.environment().remove("KUBERNETES_SERVICE_HOST");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        return new OperatorProcess(builder.start(), port, log);
    }

    /** Waits until /readyz answers 200 (every informer synced), or fails when the process ends or {@code bound} passes. */
    Duration awaitReady(Duration bound) throws InterruptedException {
        Instant start = Instant.now();
        Instant deadline = start.plus(bound);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the operator exited with " + process.exitValue() + " before it was ready; see " + log);
            }
            try {
                if (get("/readyz").statusCode() == 200) {
                    return Duration.between(start, Instant.now());
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the operator was not ready within " + bound.toSeconds() + " s; see " + log);
    }

    /** The Prometheus text of /metrics. */
    String scrape() {
        try {
            HttpResponse<String> response = get("/metrics");
            if (response.statusCode() != 200) {
                throw new IllegalStateException("/metrics answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("could not scrape the operator's /metrics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(REQUEST_TIMEOUT)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The process's resident memory now and at its peak. */
    ProcMemory memory() {
        return ProcMemory.of(process.pid());
    }

    /** User and system CPU time of the process, all its threads (utime + stime of /proc/PID/stat). */
    Duration cpu() {
        return process.info()
                .totalCpuDuration()
                .orElseThrow(
                        () -> new IllegalStateException("no CPU time for the operator's process " + process.pid()));
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
        http.close();
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static List<Path> classpath(Path home) throws IOException {
        Path list = home.resolve("lib").resolve("operator-classpath.txt");
        String text;
        try (var in = OperatorProcess.class.getClassLoader().getResourceAsStream("operator-classpath.txt")) {
            if (in == null) {
                throw new IllegalStateException("operator-classpath.txt is not in the benchmark's jar; rebuild it");
            }
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        }
        List<Path> jars = new ArrayList<>();
        for (String entry : text.split(":")) {
            Path jar = home.resolve(entry);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(
                        jar + " (on the operator's class path) is missing from " + list.getParent());
            }
            jars.add(jar);
        }
        return jars;
    }
}
