package io.dpuoffload.e2e.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.e2e.fs.workloads.DeployedMount;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signal loop of offload-fs's SignalLoopIT (create, stat, symlink, unlink, utime, unlink under a
 * 200 µs SA_RESTART timer, in C and in Go) as deployed: across the veth pair with mutual TLS, where
 * a request is on the wire long enough for most signals to land while the host works on it. Every
 * call answers as on a local directory: no EINTR, no EAGAIN, no EEXIST.
 */
@ExtendWith(TopologyExtension.class)
class FsSignalsAcrossNamespacesIT {
    private static final Path SOURCES =
            Path.of("").toAbsolutePath().resolveSibling("offload-fs/src/test/resources/signals");

    /** One run's bounds (whichever first) and its timer, as in SignalLoopIT. */
    private static final List<String> LOOP_ARGS = List.of("4", "20000", "200");

    @TempDir
    Path work;

    @Test
    void callsUnderSignalsAnswerAsLocally(Topology topology) throws Exception {
        Path c = build(List.of("gcc", "-O2", "-o", work.resolve("loop-c").toString(), src("signal_loop.c")), Map.of());
        Path go = build(
                List.of("go", "build", "-o", work.resolve("loop-go").toString(), src("signal_loop.go")),
                Map.of(
                        "GO111MODULE", "off",
                        "CGO_ENABLED", "0",
                        "GOCACHE", work.resolve("go-cache").toString(),
                        "GOPATH", work.resolve("go-path").toString(),
                        "HOME", work.toString()));
        try (DeployedMount fs = DeployedMount.start(topology, work)) {
            for (Path program : List.of(c, go)) {
                DeployedMount.Dirs dirs = fs.fresh(program.getFileName().toString());
                Map<String, Long> results =
                        parse(fs.onDpu(Duration.ofSeconds(60), "exec \"$@\"", concat(program, dirs.mount()))
                                .stdout());
                long signals = results.remove("signals");
                long iterations = results.remove("iterations");
                System.out.printf(
                        "%s across namespaces: %d iterations under %d signals: %s%n",
                        program, iterations, signals, results);
                assertThat(signals).as("signals during the run").isGreaterThan(100);
                assertThat(results)
                        .as("%s: results (call errno → count) under %d signals", program.getFileName(), signals)
                        .containsOnlyKeys(
                                "create 0", "stat 0", "symlink 0", "unlink-link 0", "utime 0", "unlink-file 0");
            }
        }
    }

    private static String[] concat(Path program, Path dir) {
        List<String> command = new java.util.ArrayList<>(List.of(program.toString(), dir.toString()));
        command.addAll(LOOP_ARGS);
        return command.toArray(String[]::new);
    }

    private static Map<String, Long> parse(String output) {
        Map<String, Long> results = new TreeMap<>();
        for (String line : output.strip().split("\n")) {
            int last = line.lastIndexOf(' ');
            results.put(line.substring(0, last), Long.parseLong(line.substring(last + 1)));
        }
        return results;
    }

    private static String src(String name) {
        return SOURCES.resolve(name).toString();
    }

    /** Builds a program with gcc or go (./dpuo installs both); its path. */
    private static Path build(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean ended = process.waitFor(300, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ended && process.exitValue() == 0)
                .as("%s: %s", command, output)
                .isTrue();
        return Path.of(command.get(command.indexOf("-o") + 1));
    }
}
