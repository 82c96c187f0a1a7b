package io.dpuoffload.agent.kube;

import io.dpuoffload.api.status.Condition;
import io.dpuoffload.crd.node.ChannelReport;
import io.dpuoffload.crd.node.DaemonReport;
import io.dpuoffload.crd.node.MountReport;
import java.util.List;

/** The host's or the DPU's side of a pair, running from a {@link Plan}; {@link #close} undoes it all. */
interface RunningSide extends AutoCloseable {
    Plan plan();

    /** What it reports now, its conditions judged against {@code generation}. */
    Snapshot snapshot(long generation);

    @Override
    void close();

    /** A side's state, as its report carries it. */
    record Snapshot(
            List<Condition> conditions, ChannelReport channel, List<MountReport> mounts, List<DaemonReport> daemons) {}
}
