package io.dpuoffload.fs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.transport.OffloadConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mount whose session the host did not keep (here it keeps none: see ResumedSessionIT for one
 * it keeps) re-attaches to the same host server as a new session, while the DPU's kernel still
 * holds the node ids and file handles of the old one. Those must never name
 * another file in the new session: a name cached on the DPU reaches its own file, or is looked up
 * again, never its neighbour's.
 */
class ReattachIT {
    /** Longer than the test: only the node ids, not an expiring cache, decide what the DPU reaches. */
    private static final Duration LONG_TTL = Duration.ofSeconds(120);

    @TempDir
    Path work;

    @Test
    void namesCachedBeforeAReconnectStillReachTheirOwnFiles() throws Exception {
        Path exported = work.resolve("exported");
        Files.createDirectories(exported);
        Files.writeString(exported.resolve("x"), "x's own");
        Files.writeString(exported.resolve("y"), "y's own, which is longer");
        try (LocalPair pair = new LocalPair(
                exported,
                work.resolve("mnt"),
                work,
                Allowlist.allowAll(),
                CachePolicy.TTL,
                false,
                e -> new ExportConfig(
                        e.name(),
                        e.path(),
                        e.readOnly(),
                        e.cache(),
                        LONG_TTL,
                        e.procView(),
                        e.allow(),
                        e.sharedFifos(),
                        e.devices()),
                Duration.ZERO)) {
            Path x = pair.mountpoint.resolve("x");
            assertThat(Files.readString(x)).isEqualTo("x's own"); // x now has a node id

            List<OffloadConnection> before = List.copyOf(pair.server.connections());
            before.forEach(OffloadConnection::close);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pair.server.connections().isEmpty()
                    || pair.server.connections().stream().anyMatch(before::contains)) {
                assertThat(System.nanoTime())
                        .as("the mount reconnects within 30 s")
                        .isLessThan(deadline);
                Thread.sleep(50);
            }

            // The new session's first lookup: in a table that numbers from scratch y would get the id x
            // had, and x's name, still cached on the DPU, would then open y.
            assertThat(Files.readString(pair.mountpoint.resolve("y"))).isEqualTo("y's own, which is longer");
            assertThat(Files.readString(x)).isEqualTo("x's own");
            assertThat(Files.size(x)).isEqualTo("x's own".length());
            assertThat(pair.fs.sessionCount())
                    .as("the old session ended with its connection")
                    .isEqualTo(1);
        }
    }
}
