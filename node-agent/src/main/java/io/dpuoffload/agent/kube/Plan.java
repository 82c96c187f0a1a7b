package io.dpuoffload.agent.kube;

import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.transport.net.Endpoint;
import java.util.List;

/**
 * One side of a pair as this agent runs it.
 *
 * @param resource the OffloadNode's name
 * @param generation the OffloadNode's metadata.generation this plan was made from
 * @param pair the pair, as the standalone agent's file would give it
 * @param endpoint where the host listens (host) or what the DPU dials (DPU)
 * @param profiles the pinned profiles, {@code name@revision}
 */
public record Plan(
        AgentRole role, String resource, long generation, ResolvedPair pair, Endpoint endpoint, List<String> profiles) {
    public Plan {
        profiles = List.copyOf(profiles);
    }

    /**
     * Whether a side started from {@code other} runs just what this plan asks: then a new
     * generation (an edit that changed nothing this side runs) needs no restart.
     */
    public boolean runsAs(Plan other) {
        return other != null
                && role == other.role
                && resource.equals(other.resource)
                && pair.equals(other.pair)
                && endpoint.equals(other.endpoint)
                && profiles.equals(other.profiles);
    }
}
