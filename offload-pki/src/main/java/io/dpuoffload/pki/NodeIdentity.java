package io.dpuoffload.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The node a certificate names: its DNS name, and the host-DPU pair from its {@code
 * urn:dpuoffload:pair:<id>} URI, if any. {@link CertificateAuthority#issueNode} writes them; this
 * reads them back, for the transport (who is the peer?) and for the operator (does the Secret still
 * hold the certificate this node should have?).
 */
public record NodeIdentity(String nodeName, Optional<String> pairId) {

    /** The URI scheme for the pair a node belongs to, e.g. {@code urn:dpuoffload:pair:rack3-07}. */
    public static final String PAIR_URI_PREFIX = "urn:dpuoffload:pair:";

    /** Subject alternative name types, from RFC 5280's GeneralName. */
    private static final int SAN_DNS = 2;

    private static final int SAN_URI = 6;

    public NodeIdentity {
        NodeNames.requireValid("node name", nodeName);
        Objects.requireNonNull(pairId, "pairId");
        pairId.ifPresent(id -> NodeNames.requireValid("pair id", id));
    }

    /**
     * Reads the identity a node certificate carries: exactly one DNS name (the node) and at most one
     * pair URI. Other names are ignored.
     *
     * @throws IllegalArgumentException if the certificate names no node, several, or breaks the
     *     naming rule
     */
    public static NodeIdentity fromCertificate(X509Certificate certificate) {
        List<String> dnsNames = new ArrayList<>();
        List<String> pairIds = new ArrayList<>();
        for (List<?> entry : subjectAlternativeNames(certificate)) {
            if (entry.size() < 2
                    || !(entry.get(0) instanceof Integer type)
                    || !(entry.get(1) instanceof String value)) {
                continue;
            }
            if (type == SAN_DNS) {
                dnsNames.add(value);
            } else if (type == SAN_URI && value.startsWith(PAIR_URI_PREFIX)) {
                pairIds.add(value.substring(PAIR_URI_PREFIX.length()));
            }
        }
        String who = "certificate '" + certificate.getSubjectX500Principal() + "'";
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException(who + " names no node (it has no DNS subject alternative name);"
                    + " use a node certificate from `offloadctl certs issue --node NAME`");
        }
        if (dnsNames.size() > 1 || pairIds.size() > 1) {
            throw new IllegalArgumentException(who + " is ambiguous: it names nodes " + dnsNames + " and pairs "
                    + pairIds + ", but a node certificate names one node and at most one pair");
        }
        return new NodeIdentity(dnsNames.getFirst(), pairIds.stream().findFirst());
    }

    /** "node dpu-01 (pair rack3-07)" or "node dpu-01", for logs and messages. */
    @Override
    public String toString() {
        return "node " + nodeName + pairId.map(id -> " (pair " + id + ")").orElse("");
    }

    static String pairUri(String pairId) {
        return PAIR_URI_PREFIX + NodeNames.requireValid("pair id", pairId);
    }

    private static Collection<List<?>> subjectAlternativeNames(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            return names == null ? List.of() : names;
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException(
                    "certificate '" + certificate.getSubjectX500Principal()
                            + "' has a damaged subject alternative name extension: " + e.getMessage(),
                    e);
        }
    }
}
