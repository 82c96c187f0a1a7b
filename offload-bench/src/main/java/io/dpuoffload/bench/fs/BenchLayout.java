package io.dpuoffload.bench.fs;

import io.dpuoffload.cli.WorkDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What lives in the benchmark's {@link WorkDirectory}. All three commands ({@code fs
 * bench} and its two hidden node sides) agree on it by its root alone. Mount points are plain directories here: the
 * mounts on them exist only in the node processes' private mount namespaces, never in the root namespace.
 */
record BenchLayout(Path root) {

    static final String PREFIX = "offload-bench-fs-";

    /** Makes the directories below {@code root} (a fresh {@link WorkDirectory}) that the node sides use. */
    static BenchLayout prepare(Path root) {
        BenchLayout layout = new BenchLayout(root);
        try {
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
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the benchmark's directories: " + e.getMessage(), e);
        }
        return layout;
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
}
