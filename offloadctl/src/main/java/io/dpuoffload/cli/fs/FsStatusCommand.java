package io.dpuoffload.cli.fs;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.fs.client.MountRecords;
import io.dpuoffload.fs.client.MountReporter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl fs status}: every offload-fs mount of this machine — of {@code fs mount} and of
 * DPU agents alike — with its owner, its channel and its counters.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "List offload-fs mounts (of 'fs mount' and of DPU agents) with their state.")
final class FsStatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var records = MountRecords.readAll();
        if (records.isEmpty()) {
            out.println("no offload-fs mounts");
            return ExitCodes.OK;
        }
        out.printf(
                "%-32s %-12s %-28s %-8s %-13s %10s %8s  %s%n",
                "MOUNTPOINT", "EXPORT", "SERVER", "PID", "CHANNEL", "REQUESTS", "FAILED", "OWNER");
        for (var r : records) {
            String state = !r.alive() ? "stale" : r.connected() ? "connected" : "reconnecting";
            out.printf(
                    "%-32s %-12s %-28s %-8d %-13s %10d %8d  %s%n",
                    r.mountpoint(), r.export(), r.server(), r.pid(), state, r.forwarded(), r.failed(), r.owner());
        }
        out.println("(the figures are at most " + MountReporter.INTERVAL.toSeconds()
                + " s behind; a record is written when they change, and every "
                + MountReporter.UNCHANGED_INTERVAL.toSeconds() + " s while its owner lives; the newest at "
                + Instant.ofEpochMilli(records.stream()
                        .mapToLong(MountRecords.Record::updatedMillis)
                        .max()
                        .orElse(0)) + ")");
        return ExitCodes.OK;
    }
}
