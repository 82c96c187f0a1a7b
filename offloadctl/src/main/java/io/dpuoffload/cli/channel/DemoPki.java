package io.dpuoffload.cli.channel;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.NodeCredentials;
import io.dpuoffload.pki.PemFiles;
import io.dpuoffload.pki.TlsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The demo's and bench's throwaway certificates, laid out as {@code offloadctl certs} would: {@code ca.crt},
 * {@code ca.key}, {@code host-1.*} and {@code dpu-1.*} (pair {@code demo}); plus, under {@code impostor/}, a
 * certificate that also says dpu-1 but comes from a CA of the impostor's own.
 */
public record DemoPki(Path directory) {

    public static final String HOST = "host-1";
    public static final String DPU = "dpu-1";
    static final String PAIR = "demo";
    static final String CA_NAME = "dpu-offload demo CA";
    static final String IMPOSTOR_CA_NAME = "impostor CA";
    static final String IMPOSTOR_DIRECTORY = "impostor";

    /** Started this long ago, like `certs` does, so a lagging clock in a node cannot make them "not yet valid". */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    /** A demo lasts seconds; a day is plenty, and a leaked key is worthless tomorrow. */
    private static final Duration VALIDITY = Duration.ofDays(1);

    /** Writes everything into {@code directory}, which must be missing or empty; it is created 0700. */
    public static DemoPki create(Path directory) {
        prepare(directory);
        Instant from = Instant.now().minus(BACKDATE);
        Instant until = from.plus(VALIDITY);

        CertificateAuthority ca = CertificateAuthority.create(CA_NAME, from, until.plus(BACKDATE));
        PemFiles.writeCertificate(directory.resolve(TlsFiles.CA_CERTIFICATE_FILE), ca.certificate(), false);
        PemFiles.writePrivateKey(directory.resolve(TlsFiles.CA_PRIVATE_KEY_FILE), ca.privateKey(), false);
        for (String node : new String[] {HOST, DPU}) {
            write(TlsFiles.inDirectory(directory, node), ca.issueNode(node, Optional.of(PAIR), from, until));
        }

        Path impostor = directory.resolve(IMPOSTOR_DIRECTORY);
        prepare(impostor);
        CertificateAuthority rogue = CertificateAuthority.create(IMPOSTOR_CA_NAME, from, until.plus(BACKDATE));
        NodeCredentials fake = rogue.issueNode(DPU, Optional.of(PAIR), from, until);
        PemFiles.writeCertificate(impostor.resolve(DPU + ".crt"), fake.certificate(), false);
        PemFiles.writePrivateKey(impostor.resolve(DPU + ".key"), fake.privateKey(), false);
        return new DemoPki(directory);
    }

    /** A new directory under the system's temporary directory. */
    static DemoPki createTemporary() {
        try {
            return create(Files.createTempDirectory("dpuo-demo-pki-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the demo's certificates: " + e, e);
        }
    }

    Path caCertificate() {
        return directory.resolve(TlsFiles.CA_CERTIFICATE_FILE);
    }

    Path impostorCertificate() {
        return directory.resolve(IMPOSTOR_DIRECTORY).resolve(DPU + ".crt");
    }

    Path impostorKey() {
        return directory.resolve(IMPOSTOR_DIRECTORY).resolve(DPU + ".key");
    }

    /** Removes the directory and everything in it. */
    void delete() {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + directory + ": " + e.getMessage(), e);
        }
    }

    private static void write(TlsFiles files, NodeCredentials node) {
        PemFiles.writeCertificate(files.certificate(), node.certificate(), false);
        PemFiles.writePrivateKey(files.privateKey(), node.privateKey(), false);
    }

    private static void prepare(Path directory) {
        try {
            if (Files.isDirectory(directory)) {
                try (Stream<Path> entries = Files.list(directory)) {
                    if (entries.findAny().isPresent()) {
                        throw new BadInputException(directory + " is not empty; give a new or empty directory for the"
                                + " demo's certificates");
                    }
                }
                return;
            }
            Path parent = directory.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.createDirectory(
                    directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory + ": " + e, e);
        }
    }
}
