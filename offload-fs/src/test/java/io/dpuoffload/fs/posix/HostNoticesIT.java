package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.transport.OffloadConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Releases and forgets go to the host as notices (HostNotices): run there in order, answered by
 * nobody. A create+stat+unlink then waits for the host three times (LOOKUP, CREATE, UNLINK) instead
 * of five, and a closed file's host descriptor still goes within the notice bound.
 */
class HostNoticesIT {
    /** create+stat+unlink rounds measured after a warm-up of as many. */
    private static final int ROUNDS = 300;

    /**
     * How long a test machine may take past the notice bound for the host to close a released
     * handle: the loopback, the host's event loop, and a machine busy with other builds.
     */
    private static final long RELEASE_SLACK_MILLIS = 200;

    @RegisterExtension
    static final MountedExport fs = MountedExport.cachingWithTtl();

    @Test
    void aCreateStatUnlinkWaitsForTheHostOnlyForLookupCreateAndUnlink() throws Exception {
        Sides d = fs.fresh();
        createStatUnlink(d, "warm-", ROUNDS);
        long requestsBefore = fs.forwarded();
        long noticesBefore = fs.noticed();
        createStatUnlink(d, "f", ROUNDS);
        double requests = (fs.forwarded() - requestsBefore) / (double) ROUNDS;
        double notices = (fs.noticed() - noticesBefore) / (double) ROUNDS;
        System.out.printf("per create+stat+unlink: %.2f requests, %.2f notices%n", requests, notices);
        // 5.0 requests before: RELEASE and FORGET were requests, each answered by the host.
        assertThat(requests)
                .as("requests the host answers, per create+stat+unlink")
                .isLessThanOrEqualTo(3.5);
        // One RELEASE per file, and its FORGET (the kernel may batch several in one BATCH_FORGET).
        assertThat(notices).as("notices per create+stat+unlink").isBetween(1.0, 2.5);
    }

    @Test
    void aClosedFilesHostDescriptorGoesWithinTheNoticeBound() throws Exception {
        Sides d = fs.fresh();
        Path onHost = d.host("written");
        int fd = Sys.open(d.mount("written"), Flags.O_CREAT | Flags.O_WRONLY, 0644);
        assertThat(hostWriters(onHost)).as("the host's descriptor while open").isEqualTo(1);

        Sys.close(fd);
        long closed = System.nanoTime();
        long limit = OffloadConnection.NOTICE_BOUND.toMillis() + RELEASE_SLACK_MILLIS;
        while (hostWriters(onHost) > 0) {
            assertThat((System.nanoTime() - closed) / 1_000_000)
                    .as("ms until the host closed its descriptor")
                    .isLessThan(limit);
            Thread.sleep(1);
        }
    }

    /** This JVM's (the host's) descriptors of {@code file} open for writing. */
    private static long hostWriters(Path file) throws Exception {
        long count = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (!Files.readSymbolicLink(fd).equals(file)) {
                        continue;
                    }
                    for (String line : Files.readAllLines(
                            Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
                        if (line.startsWith("flags:")
                                && (Integer.parseInt(line.substring(6).trim(), 8) & Flags.O_ACCMODE)
                                        == Flags.O_WRONLY) {
                            count++;
                        }
                    }
                } catch (java.io.IOException | java.io.UncheckedIOException e) {
                    // closed while looked at: not open any more
                }
            }
        }
        return count;
    }

    private static void createStatUnlink(Sides d, String prefix, int rounds) throws java.io.IOException {
        for (int i = 0; i < rounds; i++) {
            Path file = d.mount(prefix + i);
            Sys.close(Sys.open(file, Flags.O_CREAT | Flags.O_WRONLY, 0644));
            Metadata.statx(Flags.AT_FDCWD, file.toString(), 0);
            PathCalls.unlinkat(Flags.AT_FDCWD, file.toString(), 0);
        }
    }
}
