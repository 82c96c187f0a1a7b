package io.dpuoffload.transport.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Set;
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
 * Certificates and private keys as PEM files, the format openssl and every TLS tool read.
 *
 * <p>Writing: each file is created 0600 from its first byte (a key must never be readable by others,
 * not even for the moment between create and chmod), written to a temporary file in the same
 * directory and renamed into place, so a reader sees the old file or the new one, never half of
 * one. An existing file is only replaced when the caller forces it.
 *
 * <p>Reading: each file holds exactly one PEM object; anything else fails with a message that names
 * the file, what is wrong with it and the fix the caller supplies.
 */
public final class PemFiles {

    /**
     * rw-------, for certificates too: they are public, but only the daemon (root) reads these
     * files, and one rule for the whole directory is easier to audit than two.
     */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** A certificate or key is a few KB; a bigger file is the wrong path (a disk image, a log). */
    private static final long MAX_FILE_BYTES = 1024 * 1024;

    private static final FileAttribute<Set<PosixFilePermission>> CREATE_OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(OWNER_ONLY);

    private PemFiles() {}

    public static void writeCertificate(Path file, X509Certificate certificate, boolean force) {
        try {
            write(file, pem("CERTIFICATE", certificate.getEncoded()), force);
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode the certificate for " + file, e);
        }
    }

    /** Writes the key as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}); the 0600 mode protects it. */
    public static void writePrivateKey(Path file, PrivateKey key, boolean force) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("a " + key.getAlgorithm() + " key in format " + key.getFormat()
                    + " cannot be written as PKCS#8 to " + file);
        }
        write(file, pem("PRIVATE KEY", key.getEncoded()), force);
    }

    /**
     * @param fix what the operator should do when the file is missing or unusable, e.g. "create it
     *     with `offloadctl certs issue --node host-01`"
     */
    public static X509Certificate readCertificate(Path file, String fix) {
        Object object = readSinglePemObject(file, "certificate", "CERTIFICATE", fix);
        if (!(object instanceof X509CertificateHolder holder)) {
            throw new TlsFileException(file, "not a PEM certificate: it holds " + describe(object) + "; " + fix);
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new TlsFileException(file, "not a usable X.509 certificate (" + e.getMessage() + "); " + fix, e);
        }
    }

    /** Reads a PKCS#8 ({@code BEGIN PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}) key. */
    public static PrivateKey readPrivateKey(Path file, String fix) {
        Object object = readSinglePemObject(file, "private key", "PRIVATE KEY", fix);
        try {
            return switch (object) {
                case PrivateKeyInfo info -> new JcaPEMKeyConverter().getPrivateKey(info);
                case PEMKeyPair pair -> new JcaPEMKeyConverter().getPrivateKey(pair.getPrivateKeyInfo());
                case PKCS8EncryptedPrivateKeyInfo _, PEMEncryptedKeyPair _ ->
                    throw new TlsFileException(
                            file,
                            "the private key is encrypted, but the daemons start unattended; decrypt it with"
                                    + " `openssl pkey` into a file with mode 0600 and use that");
                default ->
                    throw new TlsFileException(
                            file, "not a PEM private key: it holds " + describe(object) + "; " + fix);
            };
        } catch (IOException e) {
            throw new TlsFileException(file, "not a usable private key (" + e.getMessage() + "); " + fix, e);
        }
    }

    private static Object readSinglePemObject(Path file, String kind, String pemType, String fix) {
        String text = readSmallFile(file, kind, fix);
        Object first;
        boolean more;
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            first = parser.readObject();
            more = first != null && parser.readObject() != null;
        } catch (IOException | RuntimeException e) {
            throw new TlsFileException(file, "has a damaged PEM block (" + e.getMessage() + "); " + fix, e);
        }
        if (first == null) {
            String der = looksLikeDer(text) ? "; it looks like binary DER, convert it with openssl" : "";
            throw new TlsFileException(
                    file,
                    "not a PEM " + kind + " (found no -----BEGIN " + pemType + "----- line" + der
                            + "); check the path, or " + fix);
        }
        if (more) {
            throw new TlsFileException(file, "holds more than one PEM block, but must hold exactly one " + kind);
        }
        return first;
    }

    private static String readSmallFile(Path file, String kind, String fix) {
        try {
            if (!Files.exists(file)) {
                throw new TlsFileException(file, "no such file — " + fix);
            }
            if (!Files.isRegularFile(file)) {
                throw new TlsFileException(file, "not a regular file; give the path of the " + kind + " file itself");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new TlsFileException(
                        file, "is " + Files.size(file) + " bytes, too big to be a " + kind + "; check the path");
            }
            // ISO-8859-1 maps every byte, so binary garbage reaches the PEM parser and gets its message.
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (AccessDeniedException e) {
            throw new TlsFileException(file, "permission denied; run as root or as the file's owner", e);
        } catch (IOException e) {
            throw new TlsFileException(file, "cannot read it (" + e + ")", e);
        }
    }

    private static void write(Path file, String content, boolean force) {
        if (!force && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new OverwriteRefusedException(file);
        }
        Path directory = file.toAbsolutePath().getParent();
        Path temp;
        try {
            temp = Files.createTempFile(directory, "." + file.getFileName() + ".", ".tmp", CREATE_OWNER_ONLY);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(
                    "cannot write " + file + ": directory " + directory + " does not exist; create it first", e);
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
                channel.force(true);
            }
            if (force) {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } else {
                publishWithoutReplacing(temp, file);
            }
            syncDirectory(directory);
        } catch (FileAlreadyExistsException e) {
            throw new OverwriteRefusedException(file);
        } catch (IOException e) {
            throw cannotWrite(file, e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // Only a leftover hidden .tmp file; the result has already been reported.
            }
        }
    }

    /**
     * A hard link fails if the name exists, even if another process created it since our check, so
     * two concurrent {@code certs init} never replace each other's key.
     */
    private static void publishWithoutReplacing(Path temp, Path file) throws IOException {
        try {
            Files.createLink(file, temp);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            // File systems without hard links (vfat on a USB stick): a move that checks first.
            Files.move(temp, file);
        }
    }

    /** Makes the rename durable, so a power cut right after "wrote ca.key" does not lose the file. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot sync a directory; the file itself is already synced.
        }
    }

    private static UncheckedIOException cannotWrite(Path file, IOException e) {
        String reason = e instanceof AccessDeniedException
                ? "permission denied; run as root or choose a directory you can write"
                : e.toString();
        return new UncheckedIOException("cannot write " + file + ": " + reason, e);
    }

    private static String pem(String type, byte[] der) {
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
