package io.dpuoffload.pki;

import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates and private keys as PEM text, the format openssl, every TLS tool and a Kubernetes
 * Secret's values use. {@link PemFiles} puts the same text in files; the operator puts it in
 * Secrets.
 *
 * <p>Reading refuses anything but what is asked for, with a message that says what the text holds
 * instead and ends with the fix the caller supplies.
 */
public final class Pem {

    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String PRIVATE_KEY = "PRIVATE KEY";

    /** What the one-argument readers tell the caller to do: the text did not come from here. */
    private static final String REISSUE = "issue it again (CaPem.create, CaPem.issue)";

    private Pem() {}

    public static String certificate(X509Certificate certificate) {
        try {
            return encode(CERTIFICATE, certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException(
                    "cannot encode the certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    /** Several certificates, one PEM block after the other: a CA bundle for {@code ca.crt}. */
    public static String certificates(List<X509Certificate> certificates) {
        StringBuilder text = new StringBuilder();
        certificates.forEach(certificate -> text.append(certificate(certificate)));
        return text.toString();
    }

    /** The key as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}): the file mode or Secret protects it. */
    public static String privateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException(
                    "a " + key.getAlgorithm() + " key in format " + key.getFormat() + " cannot be written as PKCS#8");
        }
        return encode(PRIVATE_KEY, key.getEncoded());
    }

    /** @throws PemException unless {@code text} holds exactly one certificate */
    public static X509Certificate readCertificate(String text) {
        return readCertificate(text, REISSUE);
    }

    /** @throws PemException unless {@code text} holds one or more certificates and nothing else */
    public static List<X509Certificate> readCertificates(String text) {
        return readCertificates(text, REISSUE);
    }

    /** @throws PemException unless {@code text} holds exactly one unencrypted private key */
    public static PrivateKey readPrivateKey(String text) {
        return readPrivateKey(text, REISSUE);
    }

    static X509Certificate readCertificate(String text, String fix) {
        List<Object> objects = readObjects(text, "certificate", CERTIFICATE, fix);
        if (objects.size() > 1) {
            throw new PemException("holds more than one PEM block, but must hold exactly one certificate");
        }
        return toCertificate(objects.getFirst(), fix);
    }

    static List<X509Certificate> readCertificates(String text, String fix) {
        return readObjects(text, "certificate", CERTIFICATE, fix).stream()
                .map(object -> toCertificate(object, fix))
                .toList();
    }

    /** Reads a PKCS#8 ({@code BEGIN PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}) key. */
    static PrivateKey readPrivateKey(String text, String fix) {
        List<Object> objects = readObjects(text, "private key", PRIVATE_KEY, fix);
        if (objects.size() > 1) {
            throw new PemException("holds more than one PEM block, but must hold exactly one private key");
        }
        try {
            return switch (objects.getFirst()) {
                case PrivateKeyInfo info -> new JcaPEMKeyConverter().getPrivateKey(info);
                case PEMKeyPair pair -> new JcaPEMKeyConverter().getPrivateKey(pair.getPrivateKeyInfo());
                case PKCS8EncryptedPrivateKeyInfo _, PEMEncryptedKeyPair _ ->
                    throw new PemException("the private key is encrypted, but the daemons start unattended; decrypt"
                            + " it with `openssl pkey` into a file with mode 0600 and use that");
                case Object other ->
                    throw new PemException("not a PEM private key: it holds " + describe(other) + "; " + fix);
            };
        } catch (IOException e) {
            throw new PemException("not a usable private key (" + e.getMessage() + "); " + fix, e);
        }
    }

    private static X509Certificate toCertificate(Object object, String fix) {
        if (!(object instanceof X509CertificateHolder holder)) {
            throw new PemException("not a PEM certificate: it holds " + describe(object) + "; " + fix);
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new PemException("not a usable X.509 certificate (" + e.getMessage() + "); " + fix, e);
        }
    }

    /** Every PEM object in {@code text}, at least one. */
    private static List<Object> readObjects(String text, String kind, String pemType, String fix) {
        List<Object> objects = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new PemException("has a damaged PEM block (" + e.getMessage() + "); " + fix, e);
        }
        if (objects.isEmpty()) {
            String der = looksLikeDer(text) ? "; it looks like binary DER, convert it with openssl" : "";
            throw new PemException(
                    "not a PEM " + kind + " (found no -----BEGIN " + pemType + "----- line" + der + "); " + fix);
        }
        return objects;
    }

    private static String encode(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static boolean looksLikeDer(String text) {
        // A DER certificate or key starts with a SEQUENCE tag and a long-form length.
        return text.length() > 2 && text.charAt(0) == 0x30 && text.charAt(1) >= 0x81;
    }

    private static String describe(Object object) {
        return switch (object) {
            case X509CertificateHolder _ -> "a certificate";
            case PrivateKeyInfo _, PEMKeyPair _ -> "a private key";
            case SubjectPublicKeyInfo _ -> "a public key";
            case PKCS10CertificationRequest _ -> "a certificate request";
            default -> "a PEM block of another kind";
        };
    }
}
