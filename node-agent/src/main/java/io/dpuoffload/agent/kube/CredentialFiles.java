package io.dpuoffload.agent.kube;

import io.dpuoffload.pki.TlsFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The node's certificates from its Secret as the files the transport reads ({@link TlsFiles}'s
 * layout: {@code ca.crt}, {@code <node>.crt}, {@code <node>.key}). They are replaced all at once:
 * each version is written into a directory of its own ({@code pki.<digest>}), and the symbolic link
 * {@code pki} is then renamed onto it, so a reader opening the files by their paths never sees a new
 * certificate beside an old key (Kubernetes updates Secret volumes the same way). Connections already
 * made keep the certificates they were made with.
 */
public final class CredentialFiles {
    /** Hex digits of the content's digest in a version's directory name: enough to tell two apart. */
    private static final int VERSION_DIGITS = 12;

    private static final String VERSION_PREFIX = ".v-";

    private CredentialFiles() {}

    /** The files of {@code node} under the link {@code pki}. */
    public static TlsFiles of(Path pki, String node) {
        return TlsFiles.inDirectory(pki, node);
    }

    /**
     * Makes {@code pki} hold {@code credentials}; nothing is written when it already does.
     *
     * @return whether the files changed
     */
    public static boolean write(Path pki, String node, SecretCredentials credentials) throws IOException {
        Path parent = pki.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        String version = VERSION_PREFIX + pki.getFileName() + "-" + digest(node, credentials);
        if (Files.isSymbolicLink(pki) && Files.readSymbolicLink(pki).toString().equals(version)) {
            return false;
        }
        Path directory = parent.resolve(version);
        if (!Files.isDirectory(directory)) {
            Path making = Files.createTempDirectory(parent, version + ".tmp");
            writePrivate(making.resolve(TlsFiles.CA_CERTIFICATE_FILE), credentials.caCertificate());
            writePrivate(making.resolve(node + ".crt"), credentials.certificate());
            writePrivate(making.resolve(node + ".key"), credentials.privateKey());
            Files.move(making, directory, StandardCopyOption.ATOMIC_MOVE);
        }
        Path link = parent.resolve(pki.getFileName() + ".link-tmp");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(version));
        Files.move(link, pki, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        removeOtherVersions(parent, pki.getFileName().toString(), version);
        return true;
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    /** Earlier versions: whoever read them has their certificates in memory by now. */
    private static void removeOtherVersions(Path parent, String linkName, String current) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, VERSION_PREFIX + linkName + "-*")) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().equals(current)) {
                    deleteTree(entry);
                }
            }
        }
    }

    private static void deleteTree(Path directory) throws IOException {
        try (var walk = Files.walk(directory)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String digest(String node, SecretCredentials credentials) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part :
                    new String[] {node, credentials.caCertificate(), credentials.certificate(), credentials.privateKey()
                    }) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, VERSION_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
