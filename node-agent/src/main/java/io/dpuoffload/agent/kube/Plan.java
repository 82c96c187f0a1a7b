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
     * Whether a side started from {@code other} runs just what this plan asks: then the change (a
     * new generation, or a new revision) needs no restart.
     *
     * <p>The DPU side runs everything of the profiles, so any new revision restarts it. The host
     * side serves only the profiles' shares, sockets and programs; it restarts only when those, the
     * peers, the listener, keepRunsFor or resumeWithin change. That keeps the host's exec server, and with it the
     * programs it runs for the DPU (a VM's QEMU), through a DPU side's restart: the DPU's new exec
     * gateway takes the runs back within keepRunsFor.
     */
    public boolean runsAs(Plan other) {
        if (other == null
                || role != other.role
                || !resource.equals(other.resource)
                || !endpoint.equals(other.endpoint)) {
            return false;
        }
        if (role == AgentRole.DPU) {
            return pair.equals(other.pair) && profiles.equals(other.profiles);
        }
        return pair.hostNode().equals(other.pair.hostNode())
                && pair.dpuNode().equals(other.pair.dpuNode())
                && pair.hostEndpoint().equals(other.pair.hostEndpoint())
                && pair.keepRunsFor().equals(other.pair.keepRunsFor())
                && pair.resumeWithin().equals(other.pair.resumeWithin())
                && hostServed(pair).equals(hostServed(other.pair));
    }

    /** What the host serves of the profiles, in order: their shares, socket directories, daemons' sockets and programs. */
    private static List<Object> hostServed(ResolvedPair pair) {
        List<Object> served = new java.util.ArrayList<>();
        for (var profile : pair.profiles()) {
            served.add(profile.shares());
            served.add(profile.sockets());
            served.add(profile.daemonSockets());
            served.add(profile.programs());
        }
        return served;
    }
}
