package io.dpuoffload.agent.dpu;

import io.dpuoffload.agent.plan.StepState;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.status.AgentStatus;
import io.dpuoffload.api.status.ChannelStatus;
import io.dpuoffload.api.status.Condition;
import io.dpuoffload.api.status.ConditionStatus;
import io.dpuoffload.api.status.DaemonStatus;
import io.dpuoffload.api.status.MountPhase;
import io.dpuoffload.api.status.MountStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DPU agent's {@link AgentStatus} from what it knows (a pure function): the root's steps, the
 * daemons, the channel, and the conditions that sum them up, {@code Ready} last.
 */
final class StatusReport {
    /**
     * The standalone agent's spec has no generations (its file is read once, at start); the
     * operator's resources will give theirs.
     */
    static final long STANDALONE_GENERATION = 1;

    private StatusReport() {}

    /**
     * @param daemonCount how many daemons the profiles start
     * @param previous the conditions written last, whose transition times stay while their status does
     */
    static AgentStatus of(
            ResolvedPair pair,
            List<StepState> steps,
            List<DaemonStatus> daemons,
            int daemonCount,
            ChannelStatus channel,
            List<Condition> previous,
            Instant now) {
        List<MountStatus> mounts = steps.stream().map(StepState::status).toList();
        List<Condition> aspects = List.of(root(mounts, now), channel(channel, now), daemons(daemons, daemonCount, now));
        Optional<Condition> failing = aspects.stream().filter(c -> !c.holds()).findFirst();
        Condition ready = failing.map(
                        c -> condition(Condition.READY, false, c.reason(), c.type() + ": " + c.message(), now))
                .orElseGet(() -> condition(Condition.READY, true, "AllReady", "", now));
        List<Condition> conditions = previous;
        for (Condition condition : aspects) {
            conditions = Condition.set(conditions, condition);
        }
        conditions = Condition.set(conditions, ready);
        return new AgentStatus(pair.name(), pair.root(), now, conditions, mounts, daemons, channel);
    }

    private static Condition root(List<MountStatus> mounts, Instant now) {
        for (MountStatus mount : mounts) {
            if (mount.phase() == MountPhase.FAILED) {
                return condition(
                        Condition.ROOT_READY, false, "StepFailed", mount.description() + ": " + mount.detail(), now);
            }
        }
        long undone =
                mounts.stream().filter(m -> m.phase() == MountPhase.UNDONE).count();
        if (undone > 0) {
            return condition(Condition.ROOT_READY, false, "TakenDown", undone + " step(s) undone", now);
        }
        long pending = mounts.stream().filter(m -> !m.phase().made()).count();
        if (pending > 0) {
            return condition(
                    Condition.ROOT_READY, false, "Building", pending + " of " + mounts.size() + " steps to go", now);
        }
        return condition(Condition.ROOT_READY, true, "Built", mounts.size() + " steps made", now);
    }

    private static Condition channel(ChannelStatus channel, Instant now) {
        if (channel == null) {
            return condition(Condition.CHANNEL_CONNECTED, false, "NotStarted", "the root is built first", now);
        }
        return channel.connected()
                ? condition(Condition.CHANNEL_CONNECTED, true, "Connected", channel.endpoint(), now)
                : condition(
                        Condition.CHANNEL_CONNECTED,
                        false,
                        "Disconnected",
                        "reconnecting to " + channel.endpoint(),
                        now);
    }

    private static Condition daemons(List<DaemonStatus> daemons, int expected, Instant now) {
        List<String> notRunning = new ArrayList<>();
        List<String> unhealthy = new ArrayList<>();
        for (DaemonStatus daemon : daemons) {
            if (!daemon.running()) {
                notRunning.add(daemon.name());
            } else if (!daemon.ready()) {
                unhealthy.add(daemon.name());
            }
        }
        if (!notRunning.isEmpty()) {
            return condition(
                    Condition.DAEMONS_READY, false, "NotRunning", String.join(", ", notRunning) + " not running", now);
        }
        if (!unhealthy.isEmpty()) {
            return condition(
                    Condition.DAEMONS_READY,
                    false,
                    "Unhealthy",
                    String.join(", ", unhealthy) + " failing health checks",
                    now);
        }
        if (daemons.size() < expected) {
            return condition(
                    Condition.DAEMONS_READY, false, "Starting", daemons.size() + " of " + expected + " started", now);
        }
        return condition(Condition.DAEMONS_READY, true, "Running", daemons.size() + " running", now);
    }

    private static Condition condition(String type, boolean holds, String reason, String message, Instant now) {
        return new Condition(type, ConditionStatus.of(holds), reason, message, now, STANDALONE_GENERATION);
    }
}
