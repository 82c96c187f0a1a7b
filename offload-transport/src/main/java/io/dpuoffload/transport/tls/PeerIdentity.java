package io.dpuoffload.transport.tls;

import io.dpuoffload.transport.HandshakeException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is at the other end of a connection, as far as this side can prove it.
 *
 * <p>A {@link Kind#NODE} peer proved it holds a certificate from the installation's CA; its
 * {@link #name} is the certificate's DNS name and its {@link #pairId} the {@code
 * urn:dpuoffload:pair:<id>} URI, if any. TLS only proves the certificate is genuine: the channel
 * compares the identity with the one it expects after the handshake.
 *
 * <p>A {@link Kind#LOCAL} peer reached us over a Unix socket on this machine, without TLS; its name
 * describes what the kernel vouched for, e.g. {@code uid:0}. It never has a pair id.
 */
public record PeerIdentity(Kind kind, String name, Optional<String> pairId) {

    public enum Kind {
        /** Authenticated by mutual TLS with a node certificate. */
        NODE,
        /** A process on this machine, identified by its socket credentials. */
        LOCAL
    }

    /** The URI scheme for the pair a node belongs to, e.g. {@code urn:dpuoffload:pair:rack3-07}. */
    public static final String PAIR_URI_PREFIX = "urn:dpuoffload:pair:";

    /** A local description is one short label in a log line, not a paragraph. */
    public static final int MAX_LOCAL_DESCRIPTION_LENGTH = 160;

    /** Subject alternative name types, from RFC 5280's GeneralName. */
    private static final int SAN_DNS = 2;

    private static final int SAN_URI = 6;

    public PeerIdentity {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(pairId, "pairId");
        switch (kind) {
            case NODE -> {
                NodeNames.requireValid("node name", name);
                pairId.ifPresent(id -> NodeNames.requireValid("pair id", id));
            }
            case LOCAL -> {
                if (name == null
                        || name.isBlank()
                        || name.length() > MAX_LOCAL_DESCRIPTION_LENGTH
                        || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                    throw new IllegalArgumentException("local peer description '" + name + "' is not valid: use 1 to "
                            + MAX_LOCAL_DESCRIPTION_LENGTH + " printable ASCII characters, e.g. 'uid:0'");
                }
                if (pairId.isPresent()) {
                    throw new IllegalArgumentException(
                            "a local peer belongs to no pair, but got pair id " + pairId.get());
                }
            }
        }
    }

    public static PeerIdentity node(String nodeName, Optional<String> pairId) {
        return new PeerIdentity(Kind.NODE, nodeName, pairId);
    }

    /**
     * A peer on a Unix socket, described by its credentials, e.g. {@code local("uid:0")}. The
     * description ends up in logs and audit events and may be built from runtime text (an error
     * message), so control characters become '?' and anything past {@value
     * #MAX_LOCAL_DESCRIPTION_LENGTH} characters is cut: it can neither forge a log line nor flood one.
     */
    public static PeerIdentity local(String description) {
        String printable = String.valueOf(description).replaceAll("[^\\x20-\\x7e]", "?");
        if (printable.length() > MAX_LOCAL_DESCRIPTION_LENGTH) {
            printable = printable.substring(0, MAX_LOCAL_DESCRIPTION_LENGTH - 3) + "...";
        }
        return new PeerIdentity(Kind.LOCAL, printable, Optional.empty());
    }

    /**
     * Reads the identity a node certificate carries: exactly one DNS name (the node) and at most one
     * pair URI. Other names are ignored.
     *
     * @throws IllegalArgumentException if the certificate names no node, several, or breaks the
     *     naming rule
     */
    public static PeerIdentity fromCertificate(X509Certificate certificate) {
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
        return node(dnsNames.getFirst(), pairIds.stream().findFirst());
    }

    /**
     * The identity of the peer of a finished TLS handshake.
     *
     * @throws HandshakeException if the peer sent no certificate or one that names no node
     */
    public static PeerIdentity fromSslSession(SSLSession session) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new HandshakeException(
                    "the peer presented no verified certificate; give it one from"
                            + " `offloadctl certs issue --node NAME`",
                    e);
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
            throw new HandshakeException("the peer presented no X.509 certificate");
        }
        try {
            return fromCertificate(certificate);
        } catch (IllegalArgumentException e) {
            throw new HandshakeException("peer " + e.getMessage(), e);
        }
    }

    public boolean isNode() {
        return kind == Kind.NODE;
    }

    /** "node dpu-01 (pair rack3-07)", "node dpu-01" or "local uid:0", for logs. */
    @Override
    public String toString() {
        return switch (kind) {
            case NODE -> "node " + name + pairId.map(id -> " (pair " + id + ")").orElse("");
            case LOCAL -> "local " + name;
        };
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
