package io.dpuoffload.agent.kube;

import io.dpuoffload.api.status.AgentStatus;
import io.dpuoffload.api.status.Condition;
import io.dpuoffload.api.status.ConditionStatus;
import io.dpuoffload.api.status.DaemonStatus;
import io.dpuoffload.api.status.MountStatus;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.ChannelReport;
import io.dpuoffload.crd.node.DaemonReport;
import io.dpuoffload.crd.node.MountReport;
import io.dpuoffload.crd.node.PairConditions;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An agent's report ({@code status.host} or {@code status.dpu}) from what it knows (pure
 * functions). The conditions are the OffloadNode's condition types ({@link PairConditions}), each
 * this side's own view; the operator combines both sides' into the pair's.
 */
public final class Reports {
    /** Why the host serves: the services are registered on the listener. */
    static final String SERVING = "Serving";

    private Reports() {}

    /** The condition types this side reports: the host has no daemons. */
    public static List<String> types(AgentRole role) {
        return role == AgentRole.DPU
                ? PairConditions.PARTS
                : PairConditions.PARTS.stream()
                        .filter(type -> !type.equals(PairConditions.DAEMONS_READY))
                        .toList();
    }

    /** Every condition false, for the same reason: waiting, refused, starting, failed, torn down. */
    public static List<Condition> allFalse(
            AgentRole role, String reason, String message, long generation, Instant now) {
        return types(role).stream()
                .map(type -> new Condition(type, ConditionStatus.FALSE, reason, message, now, generation))
                .toList();
    }

    /**
     * The host's conditions: the services serve once the listener is up; the channel is ready
     * while a DPU is connected.
     */
    public static List<Condition> host(String endpoint, int connected, long generation, Instant now) {
        List<Condition> conditions = new ArrayList<>();
        conditions.add(
                connected > 0
                        ? new Condition(
                                PairConditions.CHANNEL_READY,
                                ConditionStatus.TRUE,
                                "Connected",
                                connected + " connection(s) from the DPU on " + endpoint,
                                now,
                                generation)
                        : new Condition(
                                PairConditions.CHANNEL_READY,
                                ConditionStatus.FALSE,
                                "NoPeer",
                                "listening on " + endpoint + "; no DPU connected",
                                now,
                                generation));
        for (String type :
                List.of(PairConditions.FILESYSTEM_READY, PairConditions.IPC_READY, PairConditions.EXEC_READY)) {
            conditions.add(
                    new Condition(type, ConditionStatus.TRUE, SERVING, "registered on " + endpoint, now, generation));
        }
        return conditions;
    }

    /**
     * The DPU's conditions from its agent's status: the channel from ChannelConnected, the
     * filesystem from RootReady (the shares are steps of the root), the daemons from DaemonsReady;
     * offload-ipc and the exec gateway serve once the agent has started, while the channel is up.
     */
    public static List<Condition> dpu(AgentStatus status, long generation) {
        Condition channel = find(status, Condition.CHANNEL_CONNECTED);
        Condition root = find(status, Condition.ROOT_READY);
        Condition daemons = find(status, Condition.DAEMONS_READY);
        List<Condition> conditions = new ArrayList<>();
        conditions.add(as(PairConditions.CHANNEL_READY, channel, generation));
        conditions.add(as(PairConditions.FILESYSTEM_READY, root, generation));
        Condition serving = channel.holds()
                ? new Condition("", ConditionStatus.TRUE, SERVING, "served in the root", status.updated(), generation)
                : new Condition(
                        "",
                        ConditionStatus.FALSE,
                        "ChannelDown",
                        channel.message(),
                        channel.lastTransitionTime(),
                        generation);
        conditions.add(as(PairConditions.IPC_READY, serving, generation));
        conditions.add(as(PairConditions.EXEC_READY, serving, generation));
        conditions.add(as(PairConditions.DAEMONS_READY, daemons, generation));
        return conditions;
    }

    /** {@code next} over {@code previous}: a condition keeps its transition time while its status stays. */
    public static List<Condition> merged(List<Condition> previous, List<Condition> next) {
        List<Condition> result = previous;
        for (Condition condition : next) {
            result = Condition.set(result, condition);
        }
        List<String> types = next.stream().map(Condition::type).toList();
        return result.stream().filter(c -> types.contains(c.type())).toList();
    }

    public static List<MountReport> mounts(AgentStatus status) {
        return status.mounts().stream().map(Reports::mount).toList();
    }

    public static List<DaemonReport> daemons(AgentStatus status) {
        return status.daemons().stream().map(Reports::daemon).toList();
    }

    public static ChannelReport channel(String endpoint, boolean connected, Long connections) {
        return channel(endpoint, connected, connections, null);
    }

    /** @param requests requests and notices served for the peer (the host's report), or null */
    public static ChannelReport channel(String endpoint, boolean connected, Long connections, Long requests) {
        return new ChannelReport(endpoint, connected, connections, requests);
    }

    /** The report as written into the status; {@code reported} is {@code now}. */
    public static AgentReport report(
            String agent,
            long generation,
            List<String> profiles,
            List<Condition> conditions,
            ChannelReport channel,
            List<MountReport> mounts,
            List<DaemonReport> daemons,
            boolean tornDown,
            Instant now) {
        return new AgentReport(
                agent,
                rfc3339(now),
                generation,
                List.copyOf(profiles),
                conditions.stream().map(Reports::kubernetes).toList(),
                channel,
                mounts,
                daemons,
                tornDown ? Boolean.TRUE : null);
    }

    /** Whether two reports say the same, when they were written aside: what a heartbeat alone would repeat. */
    public static boolean sameContent(AgentReport a, AgentReport b) {
        return a != null && b != null && withoutTime(a).equals(withoutTime(b));
    }

    private static AgentReport withoutTime(AgentReport report) {
        return new AgentReport(
                report.agent(),
                null,
                report.observedGeneration(),
                report.profiles(),
                report.conditions(),
                report.channel(),
                report.mounts(),
                report.daemons(),
                report.tornDown());
    }

    static io.fabric8.kubernetes.api.model.Condition kubernetes(Condition condition) {
        return new io.fabric8.kubernetes.api.model.ConditionBuilder()
                .withType(condition.type())
                .withStatus(condition.status().toString())
                .withReason(condition.reason())
                .withMessage(condition.message())
                .withLastTransitionTime(rfc3339(condition.lastTransitionTime()))
                .withObservedGeneration(condition.observedGeneration())
                .build();
    }

    /** Kubernetes' time format: seconds, UTC. */
    static String rfc3339(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    private static Condition find(AgentStatus status, String type) {
        Optional<Condition> found =
                status.conditions().stream().filter(c -> c.type().equals(type)).findFirst();
        return found.orElseGet(
                () -> new Condition(type, ConditionStatus.UNKNOWN, "NotReported", "", status.updated(), 0));
    }

    private static Condition as(String type, Condition source, long generation) {
        return new Condition(
                type, source.status(), source.reason(), source.message(), source.lastTransitionTime(), generation);
    }

    private static MountReport mount(MountStatus mount) {
        return new MountReport(
                String.valueOf(mount.target()),
                mount.kind(),
                mount.phase().name(),
                mount.detail() == null || mount.detail().isEmpty() ? null : mount.detail());
    }

    private static DaemonReport daemon(DaemonStatus daemon) {
        return new DaemonReport(
                daemon.name(),
                daemon.running(),
                daemon.pid(),
                daemon.restarts(),
                daemon.lastExit(),
                daemon.health() == null ? null : daemon.health().healthy(),
                daemon.health() == null ? null : daemon.health().detail(),
                lastFew(daemon.lastLines()));
    }

    private static List<String> lastFew(List<String> lines) {
        return lines.isEmpty()
                ? null
                : lines.subList(Math.max(0, lines.size() - DaemonReport.MOST_LINES), lines.size());
    }
}
