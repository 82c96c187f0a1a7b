package io.dpuoffload.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The one working directory of a demo or a benchmark in the machine's /tmp: certificates, configurations, sockets
 * and mount points of both node sides, which agree on it by its path alone.
 */
public final class WorkDirectory {

    private WorkDirectory() {}

    /** A fresh directory named {@code prefix...}, 0755 so every node process can reach it. */
    public static Path create(String prefix) {
        try {
            Path root = Files.createTempDirectory(prefix);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the working directory: " + e.getMessage(), e);
        }
    }

    /**
     * Removes {@code root} and everything below it. Only called once every node process is gone, so no mount remains
     * on any of its directories; it does not cross into another file system all the same.
     */
    public static void delete(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                private Object device;

                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Object here = Files.getAttribute(dir, "unix:dev");
                    if (device == null) {
                        device = here;
                    } else if (!device.equals(here)) {
                        throw new IOException(dir + " is still a mount point; not deleting below it");
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    if (failure != null) {
                        throw failure;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root + ": " + e.getMessage(), e);
        }
    }
}
