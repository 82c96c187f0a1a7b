package io.dpuoffload.operator;

import java.time.Clock;

/**
 * How the operator runs.
 *
 * @param namespace where its Secrets, Lease and Events live (its own namespace)
 * @param identity this replica's name in the Lease and in Events (the pod's name)
 * @param port the health and metrics endpoints' port; 0 for any free port (tests)
 * @param leaderElection whether replicas elect a leader through a Lease (on in clusters)
 * @param exitOnLostLead whether losing the Lease ends the process, so Kubernetes starts it afresh
 *     (on in clusters; off in tests, which stop the operator themselves)
 */
public record OperatorSettings(
        String namespace, String identity, int port, boolean leaderElection, boolean exitOnLostLead, Clock clock) {
    public static final int DEFAULT_PORT = 8080;
    public static final String LEASE = "dpuoffload-operator";
}
