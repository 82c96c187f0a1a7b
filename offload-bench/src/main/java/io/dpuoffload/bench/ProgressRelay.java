package io.dpuoffload.bench;

import io.dpuoffload.topology.NodeProcess;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/** Shows a node side's progress lines to the user as they come, while it measures. */
public final class ProgressRelay {

    private static final Duration INTERVAL = Duration.ofMillis(250);

    private ProgressRelay() {}

    /**
     * Prints each line of {@code node}'s stdout that starts with {@code prefix} (without it), until the node ends; throws
     * with its output so far when it is still running after {@code timeout}.
     */
    public static void relay(NodeProcess node, String prefix, PrintWriter out, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long relayed = 0;
        while (true) {
            boolean alive = node.isAlive();
            List<String> progress = node.stdout()
                    .lines()
                    .filter(line -> line.startsWith(prefix))
                    .toList();
            for (String line : progress.subList((int) Math.min(relayed, progress.size()), progress.size())) {
                out.println("  " + line.substring(prefix.length()));
            }
            relayed = progress.size();
            out.flush();
            if (!alive) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the DPU side did not finish within " + timeout.toMinutes()
                        + " min; its output so far:\n" + node.stdout() + node.stderr());
            }
            Thread.sleep(INTERVAL.toMillis());
        }
    }
}
