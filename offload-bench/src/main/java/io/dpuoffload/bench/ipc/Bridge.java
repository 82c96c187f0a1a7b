package io.dpuoffload.bench.ipc;

/** How the DPU-side client reaches a Unix socket server: the columns of the table. */
enum Bridge {
    /** A Unix socket server in the DPU node itself: no bridge at all, the limit. */
    DIRECT("direct", "(Unix socket)"),
    /** socat on both nodes, as users bridge a socket: Unix → plain TCP across the veth → Unix. */
    SOCAT("socat", "(plain TCP)"),
    /** {@code ipc connect} on the DPU with a forward, {@code ipc serve} on the host, as deployed. */
    OFFLOAD_IPC("offload-ipc", "(mutual TLS)");

    final String key;
    final String note;

    Bridge(String key, String note) {
        this.key = key;
        this.note = note;
    }
}
