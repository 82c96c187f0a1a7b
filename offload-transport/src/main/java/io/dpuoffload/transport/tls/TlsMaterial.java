package io.dpuoffload.transport.tls;

import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * What one node needs for mutual TLS: the CA it trusts (and nothing else) and its own credentials.
 * {@link TlsFiles#load()} checks that the parts fit together; tests build one in memory, for example
 * with an expired certificate, to see the peer refuse it.
 */
public record TlsMaterial(X509Certificate caCertificate, NodeCredentials node) {

    public TlsMaterial {
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(node, "node");
    }

    /** This node's identity, as its certificate states it. */
    public PeerIdentity identity() {
        return node.identity();
    }
}
