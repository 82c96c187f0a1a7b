package io.dpuoffload.agent.kube;

import io.dpuoffload.api.status.Condition;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.ChannelReport;
import io.dpuoffload.crd.node.DaemonReport;
import io.dpuoffload.crd.node.MountReport;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this agent's reports into the OffloadNodes' status ({@link StatusPatch}): when a report
 * says something new, and at least every {@link #HEARTBEAT}. A condition keeps its transition time
 * from the report before while its status stays. Used by the agent's one thread only.
 */
final class StatusWriter {
    private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);

    /**
     * A report at least this often, even when nothing changed: the operator takes a side whose
     * report is older than a few of these for an agent that is gone.
     */
    static final Duration HEARTBEAT = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final String agent;
    private final Map<String, Written> written = new HashMap<>();

    /** What one side reports; the writer adds who, when and the generation. */
    record Draft(
            List<String> profiles,
            List<Condition> conditions,
            ChannelReport channel,
            List<MountReport> mounts,
            List<DaemonReport> daemons,
            boolean tornDown) {
        /** A side that runs nothing: why, in its conditions. */
        static Draft idle(List<Condition> conditions) {
            return new Draft(List.of(), conditions, null, null, null, false);
        }
    }

    /** The last report written for one side of one OffloadNode, and when. */
    private record Written(AgentReport report, List<Condition> conditions, Instant at) {}

    StatusWriter(KubernetesClient client, String agent) {
        this.client = client;
        this.agent = agent;
    }

    /** Writes {@code draft} as {@code role}'s report in {@code resource}, unless it would repeat the last one early. */
    void write(OffloadNode resource, AgentRole role, Draft draft) {
        String name = resource.getMetadata().getName();
        String key = name + "/" + role.statusField();
        Written last = written.get(key);
        Instant now = Instant.now();
        List<Condition> conditions = Reports.merged(last == null ? List.of() : last.conditions(), draft.conditions());
        AgentReport report = Reports.report(
                agent,
                generation(resource),
                draft.profiles(),
                conditions,
                draft.channel(),
                draft.mounts(),
                draft.daemons(),
                draft.tornDown(),
                now);
        if (last != null
                && Reports.sameContent(last.report(), report)
                && now.isBefore(last.at().plus(HEARTBEAT))) {
            return;
        }
        boolean partThere = role.reportIn(resource) != null;
        try {
            try {
                patch(name, role, report, partThere);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    throw e;
                }
                // The cached resource was behind (its status made or emptied meanwhile): the other form.
                patch(name, role, report, !partThere);
            }
            written.put(key, new Written(report, conditions, now));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                written.remove(key);
                return;
            }
            // Tried again at the agent's next look; what runs is not touched.
            log.warn("cannot report the {} side of {}: {}", role.statusField(), name, e.getMessage());
        }
    }

    /** Forgets the reports of OffloadNodes that are gone. */
    void keepOnly(Set<String> names) {
        written.keySet().removeIf(key -> !names.contains(key.substring(0, key.lastIndexOf('/'))));
    }

    private void patch(String name, AgentRole role, AgentReport report, boolean replace) {
        var status = client.resources(OffloadNode.class).withName(name).subresource("status");
        if (replace) {
            status.patch(PatchContext.of(PatchType.JSON), StatusPatch.replace(role, report));
        } else {
            status.patch(PatchContext.of(PatchType.JSON_MERGE), StatusPatch.merge(role, report));
        }
    }

    static long generation(OffloadNode resource) {
        Long generation = resource.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }
}
