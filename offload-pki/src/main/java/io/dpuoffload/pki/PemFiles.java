package io.dpuoffload.pki;

import java.io.IOException;
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
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * Certificates and private keys as PEM files ({@link Pem} text), the format openssl and every TLS
 * tool read.
 *
 * <p>Writing: each file is created 0600 from its first byte (a key must never be readable by others,
 * not even for the moment between create and chmod), written to a temporary file in the same
 * directory and renamed into place, so a reader sees the old file or the new one, never half of
 * one. An existing file is only replaced when the caller forces it.
 *
 * <p>Reading: each file holds exactly one PEM object (a CA bundle: one or more certificates); anything
 * else fails with a message that names the file, what is wrong with it and the fix the caller
 * supplies.
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
        write(file, Pem.certificate(certificate), force);
    }

    /** Writes the key as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}); the 0600 mode protects it. */
    public static void writePrivateKey(Path file, PrivateKey key, boolean force) {
        String text;
        try {
            text = Pem.privateKey(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " to " + file, e);
        }
        write(file, text, force);
    }

    /**
     * @param fix what the operator should do when the file is missing or unusable, e.g. "create it
     *     with `offloadctl certs issue --node host-01`"
     */
    public static X509Certificate readCertificate(Path file, String fix) {
        String text = readSmallFile(file, "certificate", fix);
        try {
            return Pem.readCertificate(text, fix);
        } catch (PemException e) {
            throw new TlsFileException(file, e.getMessage(), e);
        }
    }

    /** One or more certificates, e.g. a {@code ca.crt} that holds the old and the new CA. */
    public static List<X509Certificate> readCertificates(Path file, String fix) {
        String text = readSmallFile(file, "certificate", fix);
        try {
            return Pem.readCertificates(text, fix);
        } catch (PemException e) {
            throw new TlsFileException(file, e.getMessage(), e);
        }
    }

    /** Reads a PKCS#8 ({@code BEGIN PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}) key. */
    public static PrivateKey readPrivateKey(Path file, String fix) {
        String text = readSmallFile(file, "private key", fix);
        try {
            return Pem.readPrivateKey(text, fix);
        } catch (PemException e) {
            throw new TlsFileException(file, e.getMessage(), e);
        }
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
}
