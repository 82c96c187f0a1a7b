package io.dpuoffload.topology;

import java.util.List;

/**
 * Test main run as a separate JVM in the root namespace: makes a topology, starts a long sleep on the DPU node, says
 * what it made, and waits to be killed without closing anything, as a crashing test JVM would.
 */
public final class AbandonedTopologyMain {

    /** The test kills this JVM within seconds; this only bounds its life if the test itself dies first. */
    private static final long MAX_LIFE_MILLIS = 120_000;

    public static void main(String[] args) throws Exception {
        Topology topology = Topology.create();
        NodeProcess sleeper = topology.dpu().start(List.of("sleep", "300"));
        System.out.println(
                "READY " + topology.host().namespace() + " " + topology.dpu().namespace() + " " + sleeper.pid());
        Thread.sleep(MAX_LIFE_MILLIS);
    }
}
