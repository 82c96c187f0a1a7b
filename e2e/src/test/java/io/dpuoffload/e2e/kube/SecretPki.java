package io.dpuoffload.e2e.kube;

import io.dpuoffload.crd.NodeSecrets;
import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.PemFiles;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/** A throwaway CA that issues the nodes' Secrets as the operator keeps them (ca.crt, tls.crt, tls.key). */
final class SecretPki {
    private final CertificateAuthority ca;
    private final Path scratch;
    private int issued;

    SecretPki(Path scratch) throws Exception {
        this.scratch = Files.createDirectories(scratch);
        Instant now = Instant.now();
        ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
    }

    /** A new certificate and key for {@code node}, in its Secret in {@code namespace}. */
    Secret issue(String node, String namespace) throws Exception {
        Instant now = Instant.now();
        var credentials =
                ca.issueNode(node, Optional.empty(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
        Path dir = Files.createDirectories(scratch.resolve(node + "-" + ++issued));
        PemFiles.writeCertificate(dir.resolve("ca.crt"), ca.certificate(), false);
        PemFiles.writeCertificate(dir.resolve("tls.crt"), credentials.certificate(), false);
        PemFiles.writePrivateKey(dir.resolve("tls.key"), credentials.privateKey(), false);
        return new SecretBuilder()
                .withNewMetadata()
                .withName(NodeSecrets.name(node))
                .withNamespace(namespace)
                .endMetadata()
                .addToData(NodeSecrets.CA_CERT, base64(dir.resolve("ca.crt")))
                .addToData(NodeSecrets.CERT, base64(dir.resolve("tls.crt")))
                .addToData(NodeSecrets.KEY, base64(dir.resolve("tls.key")))
                .build();
    }

    /** The certificate (PEM) a Secret carries. */
    static String certificate(Secret secret) {
        return new String(Base64.getDecoder().decode(secret.getData().get(NodeSecrets.CERT)), StandardCharsets.UTF_8);
    }

    private static String base64(Path file) throws Exception {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    }
}
