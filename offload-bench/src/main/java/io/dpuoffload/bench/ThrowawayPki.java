package io.dpuoffload.bench;

import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.NodeCredentials;
import io.dpuoffload.pki.PemFiles;
import io.dpuoffload.pki.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A benchmark's certificates for mutual TLS: one CA and a pair per node, deleted with the run. */
public final class ThrowawayPki {

    /** The host node's name in every benchmark's certificates and configurations. */
    public static final String HOST = "host-1";

    public static final String DPU = "dpu-1";

    /** A run takes minutes; a day is plenty, and the keys are deleted with the run anyway. */
    private static final Duration VALIDITY = Duration.ofDays(1);

    /** So a node whose clock lags a little does not see the certificates as not yet valid. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private ThrowawayPki() {}

    /** Writes ca.crt, host-1.crt/.key and dpu-1.crt/.key into {@code dir} (which must exist). */
    public static void write(Path dir, String caName) {
        Instant from = Instant.now().minus(BACKDATE);
        Instant until = from.plus(VALIDITY);
        CertificateAuthority ca = CertificateAuthority.create(caName, from, until.plus(BACKDATE));
        PemFiles.writeCertificate(dir.resolve(TlsFiles.CA_CERTIFICATE_FILE), ca.certificate(), false);
        for (String node : List.of(HOST, DPU)) {
            NodeCredentials credentials = ca.issueNode(node, Optional.empty(), from, until);
            PemFiles.writeCertificate(dir.resolve(node + ".crt"), credentials.certificate(), false);
            PemFiles.writePrivateKey(dir.resolve(node + ".key"), credentials.privateKey(), false);
        }
    }
}
