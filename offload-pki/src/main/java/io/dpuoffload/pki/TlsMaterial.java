package io.dpuoffload.pki;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What one node needs for mutual TLS: the CAs it trusts (and nothing else) and its own credentials.
 * {@link TlsFiles#load()} checks that the parts fit together; tests build one in memory, for example
 * with an expired certificate, to see the peer refuse it.
 *
 * @param trustedCas usually one CA; two while the installation moves to a new CA (the old one, that
 *     issued the certificates still in use, and the new one), see docs/certificates.md
 */
public record TlsMaterial(List<X509Certificate> trustedCas, NodeCredentials node) {

    public TlsMaterial {
        trustedCas = List.copyOf(trustedCas);
        if (trustedCas.isEmpty()) {
            throw new IllegalArgumentException("a node must trust at least one CA");
        }
        Objects.requireNonNull(node, "node");
    }

    /** Trusting one CA, the usual case. */
    public TlsMaterial(X509Certificate caCertificate, NodeCredentials node) {
        this(List.of(caCertificate), node);
    }

    /** This node's identity, as its certificate states it. */
    public NodeIdentity identity() {
        return node.identity();
    }
}
