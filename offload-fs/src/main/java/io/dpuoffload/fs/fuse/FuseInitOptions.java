package io.dpuoffload.fs.fuse;

import static io.dpuoffload.fs.fuse.FuseProtocol.*;

/**
 * What the file system asks for in its INIT reply. The kernel only grants flags it offered, so the
 * agreed set is the intersection ({@link FuseInitNegotiation}).
 *
 * @param wantedFlags INIT flags we would like (all 64 bits)
 * @param maxWrite largest WRITE (and READ) payload, at least 4096
 * @param maxReadahead readahead we allow; the kernel's offer caps it
 * @param maxBackground background requests in flight (u16)
 * @param congestionThreshold background requests at which the kernel reports congestion (u16)
 * @param timeGran timestamp granularity in nanoseconds
 * @param pageSize the kernel's page size, which max_pages counts in
 */
public record FuseInitOptions(
        long wantedFlags,
        int maxWrite,
        int maxReadahead,
        int maxBackground,
        int congestionThreshold,
        int timeGran,
        int pageSize) {

    /**
     * The flags a passthrough file system gets right without any extra work, and what each buys:
     *
     * <ul>
     *   <li>ASYNC_READ, ASYNC_DIO: concurrent reads and direct I/O, for throughput over the network;
     *   <li>ATOMIC_O_TRUNC: O_TRUNC reaches OPEN, which the host's open(2) applies atomically;
     *   <li>BIG_WRITES, MAX_PAGES: requests of up to max_write (1 MiB) instead of 128 KiB;
     *   <li>AUTO_INVAL_DATA: cached pages go when the host changes mtime or size;
     *   <li>DO_READDIRPLUS, READDIRPLUS_AUTO: a listing brings attributes along, saving a LOOKUP round
     *       trip per name (the file system must answer READDIRPLUS);
     *   <li>PARALLEL_DIROPS: lookups and readdirs in one directory need not queue behind each other;
     *   <li>SETXATTR_EXT, INIT_EXT: the full setxattr arguments, and the flags2 word;
     *   <li>DIRECT_IO_ALLOW_MMAP: shared mmap of direct-I/O files (the /proc view) still works;
     *   <li>HANDLE_KILLPRIV_V2: set-id bits are cleared on write, truncate and chown by the server.
     *       Without it the kernel clears them itself with a SETATTR(mode) sent as the writer, which the
     *       host (running as that user) refuses with EPERM when the writer is not the owner: a user
     *       could not write or truncate a group- or world-writable set-id file. The host needs no code
     *       for it: it writes and truncates as the caller, without CAP_FSETID, so its own kernel
     *       clears the bits exactly as a local write would.
     * </ul>
     *
     * Left out on purpose: WRITEBACK_CACHE (the kernel would own mtime and size, wrong when the host
     * changes files too); POSIX_LOCKS and FLOCK_LOCKS (locks then stay in the DPU kernel, exact among
     * DPU processes, until the host side implements forwarded locks — add them then); DONT_MASK (the kernel
     * applies the umask, also with POSIX_ACL); POSIX_ACL, which makes the kernel check permissions
     * itself (default_permissions): a mount adds it where attributes are cached (see FsMount); HANDLE_KILLPRIV (v1, which V2 replaces: V2 says per
     * request when the bits must go); CACHE_SYMLINKS and EXPLICIT_INVAL_DATA (per-mount cache policy decides);
     * REQUEST_TIMEOUT (it aborts the whole connection; the DPU side times requests out itself and keeps
     * the mount); SPLICE_*, PASSTHROUGH, OVER_IO_URING, DAX and idmapping (not used).
     */
    public static final long DEFAULT_FLAGS = ASYNC_READ
            | ASYNC_DIO
            | ATOMIC_O_TRUNC
            | BIG_WRITES
            | MAX_PAGES
            | AUTO_INVAL_DATA
            | DO_READDIRPLUS
            | READDIRPLUS_AUTO
            | PARALLEL_DIROPS
            | SETXATTR_EXT
            | INIT_EXT
            | DIRECT_IO_ALLOW_MMAP
            | HANDLE_KILLPRIV_V2;

    /** 1 MiB: the request size issue #3 asks for, 256 pages of 4 KiB. */
    public static final int DEFAULT_MAX_WRITE = 1 << 20;

    /**
     * Deep enough to keep readahead and asynchronous direct I/O of 1 MiB requests streaming across a
     * network round trip; the kernel's own default (12) is for local servers.
     */
    public static final int DEFAULT_MAX_BACKGROUND = 64;

    /** Three quarters of max_background, the ratio the kernel uses for its defaults. */
    public static final int DEFAULT_CONGESTION_THRESHOLD = 48;

    /** Nanosecond timestamps: the host's file systems keep them and issue #3 asks for them. */
    public static final int DEFAULT_TIME_GRAN = 1;

    /** The page size of x86_64 and of the usual aarch64 DPU kernels. */
    public static final int DEFAULT_PAGE_SIZE = 4096;

    /** Smallest max_write the kernel accepts (it raises smaller values to this). */
    private static final int MIN_MAX_WRITE = 4096;

    private static final int U16_MAX = 0xFFFF;

    public FuseInitOptions {
        if (maxWrite < MIN_MAX_WRITE) {
            throw new IllegalArgumentException("maxWrite " + maxWrite + " below " + MIN_MAX_WRITE);
        }
        if (maxReadahead < 0) {
            throw new IllegalArgumentException("negative maxReadahead " + maxReadahead);
        }
        if (maxBackground < 1 || maxBackground > U16_MAX) {
            throw new IllegalArgumentException("maxBackground " + maxBackground + " outside 1.." + U16_MAX);
        }
        if (congestionThreshold < 1 || congestionThreshold > maxBackground) {
            throw new IllegalArgumentException(
                    "congestionThreshold " + congestionThreshold + " outside 1..maxBackground (" + maxBackground + ")");
        }
        if (timeGran < 1 || timeGran > 1_000_000_000) {
            throw new IllegalArgumentException("timeGran " + timeGran + " outside 1..10^9 ns");
        }
        if (pageSize < MIN_MAX_WRITE || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("pageSize " + pageSize + " is not a power of two of at least 4096");
        }
        if (maxPages(maxWrite, pageSize) > U16_MAX) {
            throw new IllegalArgumentException("maxWrite " + maxWrite + " needs more than " + U16_MAX + " pages");
        }
    }

    public static FuseInitOptions defaults() {
        return new FuseInitOptions(
                DEFAULT_FLAGS,
                DEFAULT_MAX_WRITE,
                DEFAULT_MAX_WRITE,
                DEFAULT_MAX_BACKGROUND,
                DEFAULT_CONGESTION_THRESHOLD,
                DEFAULT_TIME_GRAN,
                DEFAULT_PAGE_SIZE);
    }

    /** The same options with other wanted flags. */
    public FuseInitOptions withFlags(long flags) {
        return new FuseInitOptions(
                flags, maxWrite, maxReadahead, maxBackground, congestionThreshold, timeGran, pageSize);
    }

    /** Pages a max_write request spans: the max_pages to announce. */
    public int maxPages() {
        return maxPages(maxWrite, pageSize);
    }

    private static int maxPages(int maxWrite, int pageSize) {
        return (int) ((maxWrite + (long) pageSize - 1) / pageSize);
    }
}
