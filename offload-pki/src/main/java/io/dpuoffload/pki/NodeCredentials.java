package io.dpuoffload.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/** A node's certificate and the private key that goes with it, as issued or loaded from files. */
public record NodeCredentials(X509Certificate certificate, PrivateKey privateKey) {

    public NodeCredentials {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /** The node name and pair id the certificate names. */
    public NodeIdentity identity() {
        return NodeIdentity.fromCertificate(certificate);
    }

    /** Never prints the key: credentials end up in logs through string concatenation. */
    @Override
    public String toString() {
        return "NodeCredentials[" + certificate.getSubjectX500Principal() + ", expires "
                + certificate.getNotAfter().toInstant() + "]";
    }
}
