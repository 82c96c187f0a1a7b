package io.dpuoffload.transport.tls;

import io.dpuoffload.pki.NodeIdentity;
import io.dpuoffload.pki.NodeNames;
import io.dpuoffload.transport.HandshakeException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is at the other end of a connection, as far as this side can prove it.
 *
 * <p>A {@link Kind#NODE} peer proved it holds a certificate from the installation's CA; its
 * {@link #name} and {@link #pairId} are the certificate's {@link NodeIdentity}. TLS only proves the certificate is genuine: the channel
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

    /** A local description is one short label in a log line, not a paragraph. */
    public static final int MAX_LOCAL_DESCRIPTION_LENGTH = 160;

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
     * The node a certificate names (see {@link NodeIdentity#fromCertificate}).
     *
     * @throws IllegalArgumentException if the certificate names no node, several, or breaks the
     *     naming rule
     */
    public static PeerIdentity fromCertificate(X509Certificate certificate) {
        return of(NodeIdentity.fromCertificate(certificate));
    }

    /** A node peer with the identity its certificate states. */
    public static PeerIdentity of(NodeIdentity node) {
        return node(node.nodeName(), node.pairId());
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
}
