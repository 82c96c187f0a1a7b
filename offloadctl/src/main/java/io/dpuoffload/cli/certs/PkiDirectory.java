package io.dpuoffload.cli.certs;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.pki.OverwriteRefusedException;
import io.dpuoffload.pki.TlsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The directory {@code offloadctl certs} works in: the CA's files and each node's. */
record PkiDirectory(Path path) {

    Path caCertificate() {
        return path.resolve(TlsFiles.CA_CERTIFICATE_FILE);
    }

    Path caPrivateKey() {
        return path.resolve(TlsFiles.CA_PRIVATE_KEY_FILE);
    }

    /** Where the node's certificate and key go; the name has been checked by then. */
    TlsFiles node(String nodeName) {
        return TlsFiles.inDirectory(path, nodeName);
    }

    /**
     * Creates the directory, mode 0700, if it is missing. Only the last component: missing parents
     * such as {@code /etc/dpu-offload} get the usual mode, since they may hold readable config.
     */
    void createIfMissing() {
        if (Files.isDirectory(path)) {
            return;
        }
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.createDirectory(
                    path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            throw new BadInputException(path + " exists but is not a directory; pass --dir with a directory", e);
        } catch (AccessDeniedException e) {
            throw new UncheckedIOException(
                    "cannot create " + path + ": permission denied; run as root or pass --dir with a directory you own",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + path + ": " + e, e);
        }
    }

    /**
     * Checks every file before anything is written, so a refusal never leaves a new key next to an
     * old certificate.
     */
    static void refuseToOverwrite(boolean force, Path... files) {
        if (force) {
            return;
        }
        for (Path file : files) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new OverwriteRefusedException(file);
            }
        }
    }
}
