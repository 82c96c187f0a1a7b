package io.dpuoffload.pki;

import static io.dpuoffload.pki.X509Certificates.extension;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The private CA that every host and DPU of one installation trusts, and nothing else. It issues
 * one certificate per node; the node's name and pair travel in the certificate's subject
 * alternative names (see {@link NodeIdentity}).
 *
 * <p>The CA may issue only end-entity certificates (path length 0): there are no intermediate CAs
 * to revoke or rotate.
 */
public final class CertificateAuthority {

    /** RFC 5280's upper bound for a common name. */
    private static final int MAX_COMMON_NAME_LENGTH = 64;

    private final X509Certificate certificate;
    private final PrivateKey privateKey;

    private CertificateAuthority(X509Certificate certificate, PrivateKey privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    /** A new CA: a fresh EC P-256 key and a self-signed certificate for it. */
    public static CertificateAuthority create(String commonName, Instant notBefore, Instant notAfter) {
        if (commonName == null || commonName.isBlank() || commonName.length() > MAX_COMMON_NAME_LENGTH) {
            throw new IllegalArgumentException("CA name '" + commonName + "' is not valid: use 1 to "
                    + MAX_COMMON_NAME_LENGTH + " characters, e.g. 'dpu-offload CA'");
        }
        KeyPair key = X509Certificates.newKeyPair();
        X500Name subject = X509Certificates.commonName(commonName);
        X509Certificate certificate = X509Certificates.sign(
                subject,
                key.getPrivate(),
                subject,
                key.getPublic(),
                notBefore,
                notAfter,
                List.of(
                        // CA:true, pathlen 0: it signs node certificates, never another CA.
                        extension(Extension.basicConstraints, true, new BasicConstraints(0)),
                        extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                        X509Certificates.subjectKeyIdentifier(key.getPublic())));
        return new CertificateAuthority(certificate, key.getPrivate());
    }

    /**
     * The CA written by {@code offloadctl certs init}.
     *
     * @throws TlsFileException if a file is missing or unusable, the certificate is not a CA, or the
     *     key does not belong to the certificate
     */
    public static CertificateAuthority load(Path certificateFile, Path privateKeyFile) {
        Path directory = certificateFile.toAbsolutePath().getParent();
        String fix = "create the CA with `offloadctl certs init --dir " + directory + "`";
        X509Certificate certificate = PemFiles.readCertificate(certificateFile, fix);
        PrivateKey privateKey = PemFiles.readPrivateKey(privateKeyFile, fix);
        if (certificate.getBasicConstraints() < 0) {
            throw new TlsFileException(
                    certificateFile,
                    "not a CA certificate (it lacks basicConstraints CA:true); give the ca.crt written by"
                            + " `offloadctl certs init`");
        }
        if (!"EC".equals(privateKey.getAlgorithm())) {
            throw new TlsFileException(
                    privateKeyFile,
                    "holds a key of type " + privateKey.getAlgorithm() + ", but dpu-offload CAs use EC P-256 keys; "
                            + fix);
        }
        if (!X509Certificates.keyMatches(certificate, privateKey)) {
            throw new TlsFileException(
                    privateKeyFile,
                    "is not the key of the CA certificate " + certificateFile
                            + "; give the ca.key written together with it, or " + fix);
        }
        return new CertificateAuthority(certificate, privateKey);
    }

    /**
     * A CA from its certificate and key as kept elsewhere (the operator's Secret, see {@link CaPem}).
     *
     * @throws IllegalArgumentException if the certificate is not a CA's, the key is not EC, or the
     *     key does not belong to the certificate
     */
    public static CertificateAuthority of(X509Certificate certificate, PrivateKey privateKey) {
        String who = "'" + certificate.getSubjectX500Principal() + "'";
        if (certificate.getBasicConstraints() < 0) {
            throw new IllegalArgumentException(who + " is not a CA certificate (it lacks basicConstraints CA:true)");
        }
        if (!"EC".equals(privateKey.getAlgorithm())) {
            throw new IllegalArgumentException("the key of CA " + who + " is of type " + privateKey.getAlgorithm()
                    + ", but dpu-offload CAs use EC P-256 keys");
        }
        if (!X509Certificates.keyMatches(certificate, privateKey)) {
            throw new IllegalArgumentException("the private key is not the key of the CA certificate " + who
                    + "; keep the two together as they were created");
        }
        return new CertificateAuthority(certificate, privateKey);
    }

    /**
     * A certificate for one node, usable for both ends of the channel (serverAuth and clientAuth).
     *
     * @param nodeName the node's name (a DNS-1123 subdomain), carried as its DNS name
     * @param pairId the host-DPU pair the node belongs to, carried as the URI {@code
     *     urn:dpuoffload:pair:<id>}
     * @param notBefore start of validity; tests pass past dates to make expired certificates
     * @throws IllegalArgumentException if a name breaks the rule, or the validity is empty or ends
     *     after the CA's own
     */
    public NodeCredentials issueNode(String nodeName, Optional<String> pairId, Instant notBefore, Instant notAfter) {
        NodeNames.requireValid("node name", nodeName);
        pairId.ifPresent(id -> NodeNames.requireValid("pair id", id));
        if (notAfter.truncatedTo(ChronoUnit.SECONDS).isAfter(expiry())) {
            throw new IllegalArgumentException("a node certificate valid until " + notAfter
                    + " would outlive its CA (valid until " + expiry()
                    + "); issue it for a shorter time, or create a new CA");
        }
        KeyPair key = X509Certificates.newKeyPair();
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.dNSName, nodeName));
        pairId.ifPresent(
                id -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, NodeIdentity.pairUri(id))));
        // RFC 5280: a name too long for a CN leaves the subject empty, and then the SANs are critical.
        boolean nameFitsCommonName = nodeName.length() <= MAX_COMMON_NAME_LENGTH;
        X500Name subject = nameFitsCommonName ? X509Certificates.commonName(nodeName) : new X500Name(new RDN[0]);
        var serverAndClient = new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth};

        X509Certificate issued = X509Certificates.sign(
                X509Certificates.subjectOf(certificate),
                privateKey,
                subject,
                key.getPublic(),
                notBefore,
                notAfter,
                List.of(
                        extension(Extension.basicConstraints, true, new BasicConstraints(false)),
                        extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature)),
                        extension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(serverAndClient)),
                        extension(
                                Extension.subjectAlternativeName,
                                !nameFitsCommonName,
                                new GeneralNames(names.toArray(GeneralName[]::new))),
                        X509Certificates.subjectKeyIdentifier(key.getPublic()),
                        X509Certificates.authorityKeyIdentifier(certificate)));
        return new NodeCredentials(issued, key.getPrivate());
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The end of the CA's validity; no certificate it issues may outlive it. */
    public Instant expiry() {
        return certificate.getNotAfter().toInstant();
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "CertificateAuthority[" + certificate.getSubjectX500Principal() + ", expires " + expiry() + "]";
    }
}
