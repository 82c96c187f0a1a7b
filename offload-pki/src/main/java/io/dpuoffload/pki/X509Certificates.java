package io.dpuoffload.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The BouncyCastle plumbing behind {@link CertificateAuthority}: keys, names, extensions and
 * signing. The JDK can parse and verify certificates but has no public API to create one.
 *
 * <p>Keys and signatures come from the JDK's own providers; BouncyCastle only encodes ASN.1, so it
 * is never registered as a JCA provider and cannot change what the TLS stack uses.
 */
final class X509Certificates {

    /** NIST P-256: supported by every TLS 1.3 stack, and fast on the DPU's Arm cores. */
    static final String CURVE = "secp256r1";

    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    /** 128 random bits, as the CA/Browser Forum asks; at most 17 DER bytes, under RFC 5280's 20. */
    private static final int SERIAL_BITS = 128;

    private static final SecureRandom RANDOM = new SecureRandom();

    private X509Certificates() {}

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot generate EC " + CURVE + " keys: " + e, e);
        }
    }

    static X500Name commonName(String name) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build();
    }

    static X500Name subjectOf(X509Certificate certificate) {
        return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    }

    static Extension extension(ASN1ObjectIdentifier id, boolean critical, ASN1Encodable value) {
        try {
            return Extension.create(id, critical, value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode certificate extension " + id, e);
        }
    }

    static Extension subjectKeyIdentifier(PublicKey key) {
        return extension(Extension.subjectKeyIdentifier, false, utils().createSubjectKeyIdentifier(key));
    }

    /**
     * The issuer's key id only, not its name and serial: a node certificate then stays valid if the
     * CA certificate is ever renewed with the same key.
     */
    static Extension authorityKeyIdentifier(X509Certificate issuer) {
        return extension(
                Extension.authorityKeyIdentifier, false, utils().createAuthorityKeyIdentifier(issuer.getPublicKey()));
    }

    /**
     * Builds and signs a certificate. The times are cut to whole seconds, the precision X.509 can
     * hold, so what the caller compares is what the certificate says.
     */
    static X509Certificate sign(
            X500Name issuer,
            PrivateKey issuerKey,
            X500Name subject,
            PublicKey subjectKey,
            Instant notBefore,
            Instant notAfter,
            List<Extension> extensions) {
        Instant start = notBefore.truncatedTo(ChronoUnit.SECONDS);
        Instant end = notAfter.truncatedTo(ChronoUnit.SECONDS);
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException(
                    "a certificate must end after it starts, but runs from " + start + " to " + end);
        }
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                issuer, randomSerial(), Date.from(start), Date.from(end), subject, subjectKey);
        try {
            for (Extension extension : extensions) {
                builder.addExtension(extension);
            }
            var signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the certificate for " + subject, e);
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the certificate for " + subject + ": " + e, e);
        }
    }

    /** Signs a random challenge with the key and checks it with the certificate's public key. */
    static boolean keyMatches(X509Certificate certificate, PrivateKey key) {
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(SIGNATURE_ALGORITHM);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an RSA key against an EC certificate
        }
    }

    /** True if {@code issuer}'s key signed {@code certificate}. */
    static boolean issuedBy(X509Certificate certificate, X509Certificate issuer) {
        if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static BigInteger randomSerial() {
        BigInteger serial;
        do {
            serial = new BigInteger(SERIAL_BITS, RANDOM);
        } while (serial.signum() == 0); // RFC 5280: serials are positive
        return serial;
    }

    private static JcaX509ExtensionUtils utils() {
        try {
            return new JcaX509ExtensionUtils();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no SHA-1 for key identifiers: " + e, e);
        }
    }
}
