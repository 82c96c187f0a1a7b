package io.dpuoffload.cli.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.cli.TestPki;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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
    private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");
    private static final Path SOURCES =
            Path.of("").toAbsolutePath().resolveSibling("offload-fs/src/test/resources/signals");

    /** One run's bounds (whichever first) and its timer, as in SignalLoopIT. */
    private static final List<String> LOOP_ARGS = List.of("4", "20000", "200");

    @TempDir
    Path work;

    @Test
    void callsUnderSignalsAnswerAsLocally(Topology topology) throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path c = build(List.of("gcc", "-O2", "-o", work.resolve("loop-c").toString(), src("signal_loop.c")), Map.of());
        Path go = build(
                List.of("go", "build", "-o", work.resolve("loop-go").toString(), src("signal_loop.go")),
                Map.of(
                        "GO111MODULE", "off",
                        "CGO_ENABLED", "0",
                        "GOCACHE", work.resolve("go-cache").toString(),
                        "GOPATH", work.resolve("go-path").toString(),
                        "HOME", work.toString()));
        Path pki = TestPki.create(work.resolve("pki"));
        Path exported = Files.createDirectories(work.resolve("exported"));
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        Path config = Files.writeString(work.resolve("fs.yaml"), """
                node: host-1
                listen: tcp://198.51.100.1:7100
                pki: %s
                peers: [dpu-1]
                exports:
                  - name: data
                    path: %s
                    cache: ttl
                    allow:
                      all: [/]
                """.formatted(pki, exported));
        NodeProcess host = topology.host()
                .startJava(Offloadctl.class.getName(), JVM, List.of("fs", "serve", "--config", config.toString()));
        host.awaitLine(Pattern.compile("READY .*"), Duration.ofSeconds(60));
        NodeProcess mount = topology.dpu()
                .startJava(
                        Offloadctl.class.getName(),
                        JVM,
                        List.of(
                                "fs",
                                "mount",
                                "--server",
                                "tcp://198.51.100.1:7100",
                                "--export",
                                "data",
                                "--node",
                                "dpu-1",
                                "--pki",
                                pki.toString(),
                                "--expect-peer",
                                "host-1",
                                mnt.toString()));
        mount.awaitLine(Pattern.compile("MOUNTED .*"), Duration.ofSeconds(60));

        for (Path program : List.of(c, go)) {
            Path dir =
                    Files.createDirectory(exported.resolve(program.getFileName().toString()));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            Map<String, Long> results =
                    parse(mount.runInside(Duration.ofSeconds(60), concat(program, mnt.resolve(dir.getFileName())))
                            .orThrow()
                            .stdout());
            long signals = results.remove("signals");
            long iterations = results.remove("iterations");
            System.out.printf(
                    "%s across namespaces: %d iterations under %d signals: %s%n",
                    program, iterations, signals, results);
            assertThat(signals).as("signals during the run").isGreaterThan(100);
            assertThat(results)
                    .as("%s: results (call errno → count) under %d signals", program.getFileName(), signals)
                    .containsOnlyKeys("create 0", "stat 0", "symlink 0", "unlink-link 0", "utime 0", "unlink-file 0");
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
