package io.dpuoffload.crd.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What one agent (the host's or the DPU's) reports of its side.
 *
 * @param agent the agent's pod and version, e.g. {@code dpuo-agent-x7k2p 0.1.0}
 * @param reported when it last wrote this report (RFC 3339); the operator treats a report older
 *     than its staleness bound as Unknown
 * @param observedGeneration the OffloadNode generation the agent acted on
 * @param profiles the profile revisions it runs ({@code name@revision})
 * @param conditions its own: ChannelReady, FilesystemReady, IpcReady, ExecReady (and DaemonsReady
 *     on the DPU)
 * @param channel the channel's state and counters
 * @param mounts the DPU's mounts in the root (DPU only)
 * @param daemons the daemons in the root (DPU only)
 * @param tornDown set when the agent has undone everything for a pair being deleted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentReport(
        String agent,
        String reported,
        Long observedGeneration,
        List<String> profiles,
        List<Condition> conditions,
        ChannelReport channel,
        List<MountReport> mounts,
        List<DaemonReport> daemons,
        Boolean tornDown) {}
