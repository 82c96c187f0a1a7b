package io.dpuoffload.crd;

/**
 * The Secret the operator keeps for each node of a pair, in the operator's namespace: the node's
 * certificate and key, and the CA that both nodes of every pair trust. The agent on that node reads
 * only this Secret (the agents' Role names exactly these Secrets, never the CA's own).
 */
public final class NodeSecrets {
    /** The CA's certificate (PEM): what a peer's certificate must chain to. */
    public static final String CA_CERT = "ca.crt";
    /** The node's certificate (PEM), named for the node. */
    public static final String CERT = "tls.crt";
    /** The node's private key (PEM). */
    public static final String KEY = "tls.key";
    /** Marks the Secrets the operator made, so it finds and removes them. */
    public static final String MANAGED_LABEL = "dpuoffload.io/managed-by";

    private static final String PREFIX = "dpuo-node-";

    private NodeSecrets() {}

    /** The Secret of {@code node}: one per node, whatever pairs it is in. */
    public static String name(String node) {
        return PREFIX + node;
    }
}
