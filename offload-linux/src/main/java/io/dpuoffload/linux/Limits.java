package io.dpuoffload.linux;

/** Kernel limits that size our buffers. */
public final class Limits {
    /** Longest path the kernel accepts, including the terminating NUL (linux/limits.h). */
    public static final int PATH_MAX = 4096;

    /** Longest single name component on common file systems (ext4, xfs, tmpfs). */
    public static final int NAME_MAX = 255;

    /** Largest extended attribute value Linux accepts (XATTR_SIZE_MAX). */
    public static final int XATTR_SIZE_MAX = 65536;

    /** Largest list of extended attribute names Linux returns (XATTR_LIST_MAX). */
    public static final int XATTR_LIST_MAX = 65536;

    /**
     * Most bytes one read or write moves (MAX_RW_COUNT, INT_MAX rounded down to a page), which is why the
     * transfer calls return {@code int}.
     */
    public static final int MAX_RW_COUNT = 0x7ffff000;

    private Limits() {}
}
