package io.dpuoffload.pki;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A CA as PEM text, the way the operator keeps it in a Kubernetes Secret: {@value #CERTIFICATE_KEY}
 * and {@value #PRIVATE_KEY_KEY}, the same names {@code offloadctl certs init} gives the files. Pure:
 * no files, no clock (the caller passes {@code now}).
 *
 * @param certificate the CA's certificate, one PEM block
 * @param privateKey the CA's private key, PKCS#8 PEM
 */
public record CaPem(String certificate, String privateKey) {

    public static final String CERTIFICATE_KEY = TlsFiles.CA_CERTIFICATE_FILE;

    public static final String PRIVATE_KEY_KEY = TlsFiles.CA_PRIVATE_KEY_FILE;

    /** The issuer name every node certificate shows; {@code offloadctl certs init} uses it too. */
    public static final String DEFAULT_COMMON_NAME = "dpu-offload CA";

    public CaPem {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /** A new CA valid for {@link Validity#CA_DEFAULT}. */
    public static CaPem create(String commonName, Instant now) {
        return create(commonName, now, Validity.CA_DEFAULT);
    }

    /** A new CA: a fresh EC P-256 key and a self-signed certificate, valid from about {@code now}. */
    public static CaPem create(String commonName, Instant now, Duration validity) {
        return of(CertificateAuthority.create(commonName, Validity.notBefore(now), now.plus(validity)));
    }

    public static CaPem of(CertificateAuthority ca) {
        return new CaPem(Pem.certificate(ca.certificate()), Pem.privateKey(ca.privateKey()));
    }

    /**
     * The CA from a Secret's data (values as text, i.e. already base64-decoded).
     *
     * @throws PemException naming the key that is missing or unusable
     */
    public static CaPem fromSecretData(Map<String, String> data) {
        CaPem ca = new CaPem(SecretData.require(data, CERTIFICATE_KEY), SecretData.require(data, PRIVATE_KEY_KEY));
        ca.authority(); // refuses what cannot work now, not at the first issue
        return ca;
    }

    /** {@value #CERTIFICATE_KEY} and {@value #PRIVATE_KEY_KEY}, for the Secret's {@code stringData}. */
    public Map<String, String> secretData() {
        return Map.of(CERTIFICATE_KEY, certificate, PRIVATE_KEY_KEY, privateKey);
    }

    /** @throws PemException if the text is unusable or the key is not the certificate's */
    public CertificateAuthority authority() {
        var parsedCertificate = SecretData.parse(CERTIFICATE_KEY, () -> Pem.readCertificate(certificate));
        var parsedKey = SecretData.parse(PRIVATE_KEY_KEY, () -> Pem.readPrivateKey(privateKey));
        try {
            return CertificateAuthority.of(parsedCertificate, parsedKey);
        } catch (IllegalArgumentException e) {
            throw new PemException(CERTIFICATE_KEY + ", " + PRIVATE_KEY_KEY + ": " + e.getMessage(), e);
        }
    }

    /** When the CA's certificate ends; no node certificate it issues outlives it. */
    public Instant notAfter() {
        return authority().expiry();
    }

    /** A node certificate valid for {@link Validity#NODE_DEFAULT}; see {@link #issue(String, Optional, Instant, Duration)}. */
    public NodePem issue(String nodeName, Optional<String> pairId, Instant now) {
        return issue(nodeName, pairId, now, Validity.NODE_DEFAULT);
    }

    /**
     * A certificate and key for one node, with this CA as the node's trust bundle. The certificate
     * ends at {@code now + validity} or when the CA ends, whichever is first: a CA near its end
     * issues short certificates (renewed early by {@link RenewalPolicy}) rather than none.
     *
     * @throws IllegalArgumentException if a name breaks the rule ({@link NodeNames}) or the CA has
     *     expired
     */
    public NodePem issue(String nodeName, Optional<String> pairId, Instant now, Duration validity) {
        CertificateAuthority ca = authority();
        Instant wanted = now.plus(validity);
        Instant notAfter = wanted.isAfter(ca.expiry()) ? ca.expiry() : wanted;
        if (!notAfter.isAfter(now)) {
            throw new IllegalArgumentException("the CA " + ca.certificate().getSubjectX500Principal() + " expired on "
                    + ca.expiry() + "; create a new CA before issuing node certificates");
        }
        NodeCredentials node = ca.issueNode(nodeName, pairId, Validity.notBefore(now), notAfter);
        return NodePem.of(nodeName, List.of(ca.certificate()), node);
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "CaPem[" + certificate.length() + " characters of certificate, key not shown]";
    }
}
