package io.dpuoffload.cli.fs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The benchmark's one working directory (in the machine's /tmp) and what lives in it. All three commands ({@code fs
 * bench} and its two hidden node sides) agree on it by its root alone. Mount points are plain directories here: the
 * mounts on them exist only in the node processes' private mount namespaces, never in the root namespace.
 */
record BenchLayout(Path root) {

    static final String PREFIX = "offloadctl-fs-bench-";

    /** A fresh working directory, 0755 so every node process can reach it. */
    static BenchLayout create() {
        try {
            Path root = Files.createTempDirectory(PREFIX);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            BenchLayout layout = new BenchLayout(root);
            for (Path dir : List.of(
                    layout.pki(),
                    layout.ssh(),
                    layout.export(),
                    layout.runDirectory(),
                    layout.dpuTmpfs(),
                    layout.dpuSshfs(),
                    layout.dpuSshfsProc(),
                    layout.dpuOffload(),
                    layout.dpuOffloadProc())) {
                Files.createDirectories(dir);
            }
            return layout;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the benchmark's working directory: " + e.getMessage(), e);
        }
    }

    /** Throwaway certificates: ca.crt, host-1.*, dpu-1.*. */
    Path pki() {
        return root.resolve("pki");
    }

    /** sshd's host key and config, the client's throwaway key and authorized_keys. */
    Path ssh() {
        return root.resolve("ssh");
    }

    /** The host's exported directory: a tmpfs in the host node's mount namespace, served by sshd and fs serve. */
    Path export() {
        return root.resolve("export");
    }

    /** {@code fs serve}'s configuration. */
    Path fsConfig() {
        return root.resolve("fs.yaml");
    }

    /** Where the DPU's {@code fs mount} processes keep their status records, instead of the machine's /run. */
    Path runDirectory() {
        return root.resolve("run");
    }

    Path dpuTmpfs() {
        return root.resolve("dpu/tmpfs");
    }

    Path dpuSshfs() {
        return root.resolve("dpu/sshfs");
    }

    Path dpuSshfsProc() {
        return root.resolve("dpu/sshfs-proc");
    }

    Path dpuOffload() {
        return root.resolve("dpu/offload-fs");
    }

    Path dpuOffloadProc() {
        return root.resolve("dpu/offload-fs-proc");
    }

    /**
     * Removes the working directory. Only called once every node process is gone, so no mount remains on any of its
     * directories; it does not cross into another file system all the same.
     */
    void delete() {
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
