package io.dpuoffload.transport.tls;

import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.NodeCredentials;
import io.dpuoffload.pki.TlsMaterial;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Certificates for tests: a CA valid for a month and node certificates valid for a day. */
final class TestPki {

    static final Instant NOW = Instant.now();

    private TestPki() {}

    static CertificateAuthority newCa(String name) {
        return CertificateAuthority.create(name, NOW.minus(Duration.ofDays(3)), NOW.plus(Duration.ofDays(30)));
    }

    static NodeCredentials node(CertificateAuthority ca, String nodeName, String pairId) {
        return ca.issueNode(
                nodeName, Optional.ofNullable(pairId), NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(1)));
    }

    /** Valid yesterday, expired an hour ago. */
    static NodeCredentials expiredNode(CertificateAuthority ca, String nodeName) {
        return ca.issueNode(nodeName, Optional.empty(), NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofHours(1)));
    }

    static TlsMaterial material(CertificateAuthority trusted, NodeCredentials node) {
        return new TlsMaterial(trusted.certificate(), node);
    }
}
