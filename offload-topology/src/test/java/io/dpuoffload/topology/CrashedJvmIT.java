package io.dpuoffload.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A test JVM that dies without closing its topology (SIGKILL, OOM, CI timeout) leaves nothing behind for long. */
@Timeout(120)
class CrashedJvmIT {

    @BeforeAll
    static void prerequisites() {
        TopologyExtension.gate(Prerequisites.missing(), System.getenv("CI"));
    }

    @Test
    void nodeProcessesDieWithTheJvmAndTheNextTopologyRemovesItsNamespaces() throws Exception {
        Process jvm = new ProcessBuilder(
                        Node.javaCommand(AbandonedTopologyMain.class.getName(), TopologyIT.SMALL_JVM, List.of()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        OutputBuffer output = new OutputBuffer(line -> {});
        Thread.ofVirtual().start(() -> output.pump(jvm.getInputStream(), OutputBuffer.Channel.STDOUT));
        Thread.ofVirtual().start(() -> output.pump(jvm.getErrorStream(), OutputBuffer.Channel.STDERR));
        String[] ready;
        try {
            ready = output.awaitLine(Pattern.compile("^READY "), Duration.ofSeconds(60))
                    .orElseThrow(() -> new AssertionError("abandoning JVM did not get ready:\n" + output.tail()))
                    .split(" ");
        } finally {
            jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
        }
        assertThat(jvm.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        List<String> namespaces = List.of(ready[1], ready[2]);
        ProcessHandle sleeper = ProcessHandle.of(Long.parseLong(ready[3])).orElse(null);

        for (int attempt = 0; attempt < 500 && sleeper != null && !ProcFs.isGone(sleeper); attempt++) {
            Thread.sleep(10);
        }
        assertThat(sleeper == null || ProcFs.isGone(sleeper))
                .as("the DPU node's process dies with the JVM that started it")
                .isTrue();
        assertThat(IpNetns.list()).as("nothing has cleaned up yet").containsAll(namespaces);

        Topology.create().close();

        assertThat(IpNetns.list()).doesNotContainAnyElementsOf(namespaces);
    }
}
