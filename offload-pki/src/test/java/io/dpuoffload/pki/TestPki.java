package io.dpuoffload.pki;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Certificates for tests: a CA valid for a month and node certificates valid for a day. Shared with
 * offload-transport's TLS tests through this module's test jar.
 */
public final class TestPki {

    public static final Instant NOW = Instant.now();

    private TestPki() {}

    public static CertificateAuthority newCa(String name) {
        return CertificateAuthority.create(name, NOW.minus(Duration.ofDays(3)), NOW.plus(Duration.ofDays(30)));
    }

    public static NodeCredentials node(CertificateAuthority ca, String nodeName, String pairId) {
        return ca.issueNode(
                nodeName, Optional.ofNullable(pairId), NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(1)));
    }

    /** Valid yesterday, expired an hour ago. */
    public static NodeCredentials expiredNode(CertificateAuthority ca, String nodeName) {
        return ca.issueNode(nodeName, Optional.empty(), NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofHours(1)));
    }

    public static TlsMaterial material(CertificateAuthority trusted, NodeCredentials node) {
        return new TlsMaterial(trusted.certificate(), node);
    }
}
