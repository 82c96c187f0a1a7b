package io.dpuoffload.e2e;

import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A throwaway CA and the certificates of host-1 and dpu-1, as `offloadctl certs` would write them. */
public final class TestPki {
    public static Path create(Path dir) throws Exception {
        Files.createDirectories(dir);
        Instant now = Instant.now();
        var ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        PemFiles.writeCertificate(dir.resolve("ca.crt"), ca.certificate(), false);
        for (String node : List.of("host-1", "dpu-1")) {
            var credentials =
                    ca.issueNode(node, Optional.empty(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
            PemFiles.writeCertificate(dir.resolve(node + ".crt"), credentials.certificate(), false);
            PemFiles.writePrivateKey(dir.resolve(node + ".key"), credentials.privateKey(), false);
        }
        return dir;
    }

    private TestPki() {}
}
