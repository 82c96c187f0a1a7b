package io.dpuoffload.fs.fuse;

/**
 * {@code struct fuse_init_out}: the file system's answer to INIT. Use {@link FuseInitNegotiation} to
 * compute it from the kernel's offer.
 *
 * @param flags all 64 INIT flag bits; the high 32 go into {@code flags2} and need {@link
 *     FuseProtocol#INIT_EXT}
 * @param maxBackground most background (async) requests the kernel keeps in flight (u16)
 * @param congestionThreshold background requests at which the kernel reports congestion (u16)
 * @param maxWrite largest WRITE payload, at least 4096
 * @param timeGran timestamp granularity in nanoseconds, 1 to 10^9 (a power of 10)
 * @param maxPages pages per request, with {@link FuseProtocol#MAX_PAGES} (u16)
 * @param mapAlignment log2 of the DAX mapping alignment (u16)
 * @param maxStackDepth file-system stacking depth for passthrough (7.40)
 * @param requestTimeout seconds after which the kernel aborts the connection, with {@link
 *     FuseProtocol#REQUEST_TIMEOUT} (7.43, u16)
 */
public record FuseInitOut(
        int major,
        int minor,
        int maxReadahead,
        long flags,
        int maxBackground,
        int congestionThreshold,
        int maxWrite,
        int timeGran,
        int maxPages,
        int mapAlignment,
        int maxStackDepth,
        int requestTimeout) {

    /** The answer to a kernel with another major version: ours, nothing else (see fuse.h). */
    static FuseInitOut versionOnly() {
        return new FuseInitOut(
                FuseProtocol.KERNEL_VERSION, FuseProtocol.KERNEL_MINOR_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
