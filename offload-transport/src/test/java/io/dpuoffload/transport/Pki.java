package io.dpuoffload.transport;

import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.NodeCredentials;
import io.dpuoffload.pki.TlsMaterial;
import io.dpuoffload.transport.tls.TlsContexts;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A CA with a host and a DPU node certificate, for channel tests. */
final class Pki {
    static final String HOST = "host-1";
    static final String DPU = "dpu-1";

    final CertificateAuthority ca;

    Pki() {
        Instant now = Instant.now();
        ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
    }

    NodeCredentials node(String name) {
        Instant now = Instant.now();
        return ca.issueNode(name, Optional.of("pair-a"), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
    }

    NodeCredentials expired(String name) {
        Instant now = Instant.now();
        return ca.issueNode(name, Optional.empty(), now.minus(Duration.ofDays(2)), now.minus(Duration.ofHours(1)));
    }

    SslContext server(NodeCredentials node) {
        return TlsContexts.forServer(new TlsMaterial(ca.certificate(), node));
    }

    SslContext client(NodeCredentials node) {
        return TlsContexts.forClient(new TlsMaterial(ca.certificate(), node));
    }

    SslContext server() {
        return server(node(HOST));
    }

    SslContext client() {
        return client(node(DPU));
    }
}
