package io.dpuoffload.crd.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * The pair's state. The operator writes {@code observedGeneration}, {@code conditions} and {@code
 * profiles}; each agent writes its own report, {@code host} or {@code dpu}.
 *
 * @param conditions ChannelReady, FilesystemReady, IpcReady, ExecReady, DaemonsReady and Ready
 *     (see {@link PairConditions})
 * @param profiles the profiles, at the revisions this pair is to run: the agents run these (they
 *     never read OffloadProfiles themselves), so a change reaches a pair when the rollout gets to it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OffloadNodeStatus(
        Long observedGeneration,
        List<Condition> conditions,
        @Size(max = OffloadNodeSpec.MOST_PROFILES) List<PinnedProfile> profiles,
        AgentReport host,
        AgentReport dpu) {}
