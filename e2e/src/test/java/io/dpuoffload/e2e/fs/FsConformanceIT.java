package io.dpuoffload.e2e.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The differential POSIX probe (e2e/conformance, the areas of pjdfstest) against a real mount made
 * by this build's distribution: every difference from a local directory must be one the probe
 * lists as expected, so a regression in POSIX behaviour fails the build. As root, like the probe.
 */
class FsConformanceIT {
    /** This module's directory (the e2e module runs from e2e/), which also holds the probe. */
    private static final Path MODULE = Path.of("").toAbsolutePath();

    private static final Path SCRIPT = MODULE.resolve("conformance/run-fs.sh");
    /** offloadctl's distribution, built by the same reactor before this module (a dependency of it). */
    private static final Path OFFLOADCTL = MODULE.resolveSibling("offloadctl/target/offloadctl/bin/offloadctl");

    @TempDir
    Path work;

    @Test
    void theMountBehavesAsALocalDirectory() throws Exception {
        Assumptions.assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "FsConformanceIT: needs root (it mounts, and switches users); skipped");
        assertThat(OFFLOADCTL)
                .as("offloadctl's distribution, built in its package phase (run with -am)")
                .isExecutable();
        Path log = work.resolve("probe.log");
        Process probe = new ProcessBuilder(SCRIPT.toString(), OFFLOADCTL.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean ended = probe.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            probe.destroy(); // SIGTERM: the script's trap stops the server and the mount
            probe.waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(ended).as("the probe ends within 5 minutes").isTrue();
        assertThat(output).contains("0 unexpected");
        assertThat(probe.exitValue()).as(lastLines(output)).isZero();
    }

    private static String lastLines(String output) {
        String[] lines = output.strip().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 20), lines.length));
    }
}
