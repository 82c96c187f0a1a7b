package io.dpuoffload.pki;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Where a node's TLS files are. The usual layout is one directory per node ({@link
 * #inDirectory}): {@code ca.crt}, {@code <node>.crt} and {@code <node>.key}, all mode 0600. The
 * operator's node Secrets hold the same three names ({@link NodePem#secretData}), so a mounted
 * Secret is such a directory.
 *
 * <p>{@code ca.crt} may hold more than one CA certificate: while an installation moves to a new CA,
 * the nodes trust the old and the new one (docs/certificates.md).
 */
public record TlsFiles(Path caCertificate, Path certificate, Path privateKey) {

    /** Where {@code offloadctl certs} writes and the daemons look by default. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/etc/dpu-offload/pki");

    public static final String CA_CERTIFICATE_FILE = "ca.crt";

    /** The CA's key: it belongs on the machine that issues certificates, never on a DPU. */
    public static final String CA_PRIVATE_KEY_FILE = "ca.key";

    public TlsFiles {
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /** {@code dir/ca.crt}, {@code dir/<node>.crt} and {@code dir/<node>.key}. */
    public static TlsFiles inDirectory(Path directory, String nodeName) {
        NodeNames.requireValid("node name", nodeName);
        return new TlsFiles(
                directory.resolve(CA_CERTIFICATE_FILE),
                directory.resolve(certificateFileName(nodeName)),
                directory.resolve(privateKeyFileName(nodeName)));
    }

    /** {@code <node>.crt}: the node's certificate, in a directory or as a Secret's key. */
    public static String certificateFileName(String nodeName) {
        return NodeNames.requireValid("node name", nodeName) + ".crt";
    }

    /** {@code <node>.key}: the node's private key, in a directory or as a Secret's key. */
    public static String privateKeyFileName(String nodeName) {
        return NodeNames.requireValid("node name", nodeName) + ".key";
    }

    /**
     * Reads the three files and checks they can work: every certificate in {@code ca.crt} is a CA and
     * at least one is current, the node's certificate was issued by one of them, names a node, has
     * not expired, and the key is its key.
     *
     * <p>A certificate that is not valid <em>yet</em> passes: that is clock skew between the
     * machine that issued it and this one, and the peer's clock is the one that matters.
     *
     * @throws TlsFileException for the first problem found, naming the file and the fix
     */
    public TlsMaterial load() {
        Instant now = Instant.now();
        String caFix = "copy ca.crt from the machine that keeps the CA, or create a CA there with"
                + " `offloadctl certs init --dir " + directoryOf(caCertificate) + "`";
        List<X509Certificate> cas = PemFiles.readCertificates(caCertificate, caFix);
        for (X509Certificate ca : cas) {
            if (ca.getBasicConstraints() < 0) {
                throw new TlsFileException(
                        caCertificate,
                        "'" + ca.getSubjectX500Principal() + "' is not a CA certificate (it lacks basicConstraints"
                                + " CA:true); " + caFix);
            }
        }
        Instant lastCaExpiry = cas.stream()
                .map(ca -> ca.getNotAfter().toInstant())
                .max(Instant::compareTo)
                .orElseThrow();
        if (lastCaExpiry.isBefore(now)) {
            throw new TlsFileException(
                    caCertificate,
                    "the CA expired on " + lastCaExpiry
                            + "; create a new CA with `offloadctl certs init --force`, issue every node a new"
                            + " certificate with it, and restart the daemons");
        }

        String issue = "offloadctl certs issue --node " + nodeNameHint() + " --dir " + directoryOf(certificate);
        String nodeFix = "create it with `" + issue + "`";
        X509Certificate node = PemFiles.readCertificate(certificate, nodeFix);
        PrivateKey key = PemFiles.readPrivateKey(privateKey, nodeFix);
        if (cas.stream().noneMatch(ca -> X509Certificates.issuedBy(node, ca))) {
            throw new TlsFileException(
                    certificate,
                    "was not issued by the CA in " + caCertificate + " (its issuer is '" + node.getIssuerX500Principal()
                            + "'); issue it with that CA: `" + issue + " --force`");
        }
        if (!X509Certificates.keyMatches(node, key)) {
            throw new TlsFileException(
                    privateKey,
                    "is not the key of " + certificate + " (they come from different issues); issue both again with `"
                            + issue + " --force`");
        }
        try {
            NodeIdentity.fromCertificate(node);
        } catch (IllegalArgumentException e) {
            throw new TlsFileException(certificate, e.getMessage(), e);
        }
        if (node.getNotAfter().toInstant().isBefore(now)) {
            throw new TlsFileException(
                    certificate,
                    "expired on " + node.getNotAfter().toInstant() + "; issue a new one with `" + issue
                            + " --force` and restart the daemon");
        }
        return new TlsMaterial(cas, new NodeCredentials(node, key));
    }

    /** The node name the certificate file is named after, for the fix in a message. */
    private String nodeNameHint() {
        String file = String.valueOf(certificate.getFileName());
        String name = file.endsWith(".crt") ? file.substring(0, file.length() - ".crt".length()) : file;
        return NodeNames.isValid(name) ? name : "NAME";
    }

    private static Path directoryOf(Path file) {
        return file.toAbsolutePath().getParent();
    }
}
