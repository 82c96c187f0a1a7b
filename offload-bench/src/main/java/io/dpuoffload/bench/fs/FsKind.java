package io.dpuoffload.bench.fs;

/** The three file systems compared, each as seen from the DPU node. */
enum FsKind {
    /** A tmpfs mounted on the DPU node itself: no network, no FUSE. The limit. */
    TMPFS("tmpfs", "tmpfs (DPU)"),
    /** What users would otherwise use: sshd's sftp-server on the host, sshfs on the DPU. */
    SSHFS("sshfs", "sshfs"),
    /** {@code fs serve} on the host, {@code fs mount} on the DPU, mutual TLS. */
    OFFLOAD_FS("offload-fs", "offload-fs");

    final String key;
    final String label;

    FsKind(String key, String label) {
        this.key = key;
        this.label = label;
    }
}
