package io.dpuoffload.operator.pair;

import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.PairConditions;
import io.dpuoffload.crd.node.PinnedProfile;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pair's conditions from its two agents' reports: each part (ChannelReady, FilesystemReady,
 * IpcReady, ExecReady) holds when both agents say so, DaemonsReady when the DPU's does, and Ready
 * when all hold and both agents run the pinned profile revisions for the current generation. A
 * report older than {@link #STALE_AFTER} counts as no report: its agent is gone or cut off.
 */
public final class Readiness {
    /**
     * Three of the agents' heartbeats (30 s): one lost write or a slow API server is not a dead agent,
     * three in a row are.
     */
    public static final Duration STALE_AFTER = Duration.ofSeconds(90);

    private Readiness() {}

    public static List<Conditions.Wanted> of(
            AgentReport host, AgentReport dpu, List<PinnedProfile> pins, long generation, Instant now) {
        Optional<AgentReport> hostNow = fresh(host, now);
        Optional<AgentReport> dpuNow = fresh(dpu, now);
        List<Conditions.Wanted> wanted = new ArrayList<>();
        for (String part : List.of(
                PairConditions.CHANNEL_READY,
                PairConditions.FILESYSTEM_READY,
                PairConditions.IPC_READY,
                PairConditions.EXEC_READY)) {
            wanted.add(both(part, side("host", host, hostNow, part), side("DPU", dpu, dpuNow, part)));
        }
        wanted.add(both(PairConditions.DAEMONS_READY, side("DPU", dpu, dpuNow, PairConditions.DAEMONS_READY)));
        wanted.add(ready(wanted, hostNow, dpuNow, pins, generation));
        return wanted;
    }

    /** One agent's word on one part. */
    private record Say(String who, String status, String reason, String message) {}

    private static Say side(String who, AgentReport report, Optional<AgentReport> fresh, String part) {
        if (report == null) {
            return new Say(who, Conditions.UNKNOWN, "AgentNotReporting", "the " + who + " agent has not reported yet");
        }
        if (fresh.isEmpty()) {
            return new Say(
                    who,
                    Conditions.UNKNOWN,
                    "AgentSilent",
                    "the " + who + " agent's last report is from " + report.reported() + ", more than "
                            + STALE_AFTER.toSeconds() + " s ago");
        }
        Optional<Condition> said = Conditions.find(report.conditions(), part);
        if (said.isEmpty()) {
            return new Say(who, Conditions.UNKNOWN, "NotReported", "the " + who + " agent does not report " + part);
        }
        Condition condition = said.get();
        return new Say(who, condition.getStatus(), condition.getReason(), condition.getMessage());
    }

    private static Conditions.Wanted both(String part, Say... sides) {
        for (Say say : sides) {
            if (!Conditions.TRUE.equals(say.status())) {
                return new Conditions.Wanted(
                        part,
                        Conditions.FALSE.equals(say.status()) ? Conditions.FALSE : Conditions.UNKNOWN,
                        say.reason() == null ? "NotReady" : say.reason(),
                        say.who() + ": " + (say.message() == null ? "not ready" : say.message()));
            }
        }
        return new Conditions.Wanted(part, Conditions.TRUE, "Ready", String.join(" and ", whoOf(sides)) + " ready");
    }

    private static List<String> whoOf(Say... sides) {
        return java.util.Arrays.stream(sides).map(Say::who).toList();
    }

    private static Conditions.Wanted ready(
            List<Conditions.Wanted> parts,
            Optional<AgentReport> host,
            Optional<AgentReport> dpu,
            List<PinnedProfile> pins,
            long generation) {
        for (Conditions.Wanted part : parts) {
            if (!Conditions.TRUE.equals(part.status())) {
                return new Conditions.Wanted(
                        PairConditions.READY, part.status(), "Waiting" + part.type(), part.message());
            }
        }
        List<String> wanted =
                pins.stream().map(PinnedProfile::reference).sorted().toList();
        for (var side : List.of(new Named("host", host.orElseThrow()), new Named("DPU", dpu.orElseThrow()))) {
            List<String> running = side.report().profiles() == null
                    ? List.of()
                    : side.report().profiles().stream().sorted().toList();
            if (!running.equals(wanted)) {
                return new Conditions.Wanted(
                        PairConditions.READY,
                        Conditions.FALSE,
                        "ApplyingProfiles",
                        "the " + side.who() + " agent runs " + running + ", the pair is to run " + wanted);
            }
            Long seen = side.report().observedGeneration();
            if (seen == null || seen != generation) {
                return new Conditions.Wanted(
                        PairConditions.READY,
                        Conditions.FALSE,
                        "ApplyingSpec",
                        "the " + side.who() + " agent has applied generation " + seen + ", not yet " + generation);
            }
        }
        return new Conditions.Wanted(PairConditions.READY, Conditions.TRUE, "PairReady", "running " + wanted);
    }

    private record Named(String who, AgentReport report) {}

    static Optional<AgentReport> fresh(AgentReport report, Instant now) {
        if (report == null || report.reported() == null) {
            return Optional.empty();
        }
        try {
            Instant at = Instant.parse(report.reported());
            return Duration.between(at, now).compareTo(STALE_AFTER) > 0 ? Optional.empty() : Optional.of(report);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
