package io.dpuoffload.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One node's TLS credentials as PEM text, the way the operator keeps them in the node's Secret. The
 * Secret's keys are the file names the agents already read ({@link TlsFiles#inDirectory}): {@code
 * ca.crt}, {@code <node>.crt} and {@code <node>.key}, so a Secret mounted as a directory is a PKI
 * directory, and there is one layout whether a person ran {@code offloadctl certs} or the operator
 * issued. Pure: no files, no clock.
 *
 * @param nodeName the node the certificate is for, which also names two of the keys
 * @param caBundle the CA certificates the node trusts, one or more PEM blocks
 * @param certificate the node's certificate, one PEM block
 * @param privateKey the node's key, PKCS#8 PEM
 */
public record NodePem(String nodeName, String caBundle, String certificate, String privateKey) {

    public static final String CA_BUNDLE_KEY = TlsFiles.CA_CERTIFICATE_FILE;

    public NodePem {
        NodeNames.requireValid("node name", nodeName);
        Objects.requireNonNull(caBundle, "caBundle");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    public static NodePem of(String nodeName, List<X509Certificate> trustedCas, NodeCredentials node) {
        return new NodePem(
                nodeName,
                Pem.certificates(trustedCas),
                Pem.certificate(node.certificate()),
                Pem.privateKey(node.privateKey()));
    }

    /**
     * The node's credentials from its Secret's data (values as text, i.e. already base64-decoded).
     * Only presence is checked here; {@link #renewalReason} says whether they are any good.
     *
     * @throws PemException naming the key that is missing
     */
    public static NodePem fromSecretData(String nodeName, Map<String, String> data) {
        return new NodePem(
                nodeName,
                SecretData.require(data, CA_BUNDLE_KEY),
                SecretData.require(data, TlsFiles.certificateFileName(nodeName)),
                SecretData.require(data, TlsFiles.privateKeyFileName(nodeName)));
    }

    /** {@code ca.crt}, {@code <node>.crt} and {@code <node>.key}, for the Secret's {@code stringData}. */
    public Map<String, String> secretData() {
        return Map.of(
                CA_BUNDLE_KEY,
                caBundle,
                TlsFiles.certificateFileName(nodeName),
                certificate,
                TlsFiles.privateKeyFileName(nodeName),
                privateKey);
    }

    /**
     * The same credentials trusting other CAs: while the installation moves to a new CA, every node
     * first gets a bundle of the old and the new CA, then a certificate from the new one.
     */
    public NodePem withCaBundle(List<X509Certificate> trustedCas) {
        return new NodePem(nodeName, Pem.certificates(trustedCas), certificate, privateKey);
    }

    /** @throws PemException naming the key whose text is unusable */
    public TlsMaterial material() {
        List<X509Certificate> cas = SecretData.parse(CA_BUNDLE_KEY, () -> Pem.readCertificates(caBundle));
        X509Certificate node =
                SecretData.parse(TlsFiles.certificateFileName(nodeName), () -> Pem.readCertificate(certificate));
        PrivateKey key = SecretData.parse(TlsFiles.privateKeyFileName(nodeName), () -> Pem.readPrivateKey(privateKey));
        return new TlsMaterial(cas, new NodeCredentials(node, key));
    }

    /** The end of the node certificate's validity. @throws PemException if it is unreadable */
    public Instant notAfter() {
        return SecretData.parse(TlsFiles.certificateFileName(nodeName), () -> Pem.readCertificate(certificate))
                .getNotAfter()
                .toInstant();
    }

    /**
     * Why these credentials should be replaced by a fresh issue from {@code ca}, or empty if they
     * are fine: unreadable text, a certificate for another node or pair, one not issued by {@code
     * ca}, a key that is not the certificate's, a bundle without {@code ca}, or renewal due by {@code
     * policy}. The reason is a sentence for an Event or a condition's message.
     */
    public Optional<String> renewalReason(
            CertificateAuthority ca, NodeIdentity expected, Instant now, RenewalPolicy policy) {
        TlsMaterial material;
        NodeIdentity actual;
        try {
            material = material();
            actual = material.identity();
        } catch (IllegalArgumentException e) { // PemException, or a certificate that names no node
            return Optional.of("the Secret's credentials are unusable: " + e.getMessage());
        }
        X509Certificate node = material.node().certificate();
        if (!actual.equals(expected)) {
            return Optional.of("the certificate is for " + actual + ", but this Secret is for " + expected);
        }
        if (!X509Certificates.issuedBy(node, ca.certificate())) {
            return Optional.of("the certificate was issued by '" + node.getIssuerX500Principal()
                    + "', not by the current CA '" + ca.certificate().getSubjectX500Principal() + "'");
        }
        if (!X509Certificates.keyMatches(node, material.node().privateKey())) {
            return Optional.of("the private key is not the certificate's");
        }
        if (!material.trustedCas().contains(ca.certificate())) {
            return Optional.of("the trust bundle " + CA_BUNDLE_KEY + " lacks the current CA '"
                    + ca.certificate().getSubjectX500Principal() + "'");
        }
        Instant renewAt = policy.renewAt(node);
        if (!now.isBefore(renewAt)) {
            return Optional.of("the certificate expires on "
                    + node.getNotAfter().toInstant() + " and renewal was due on " + renewAt);
        }
        return Optional.empty();
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "NodePem[" + nodeName + ", key not shown]";
    }
}
