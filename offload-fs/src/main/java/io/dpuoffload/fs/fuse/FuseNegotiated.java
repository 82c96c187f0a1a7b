package io.dpuoffload.fs.fuse;

/**
 * What INIT settled for a connection, as far as the decoding of later requests depends on it.
 *
 * @param minor the protocol minor both sides use: the smaller of the kernel's and ours
 * @param flags the INIT flags both sides agreed on (all 64 bits)
 */
public record FuseNegotiated(int minor, long flags) {

    /**
     * For decoding before INIT completes: only an INIT request may arrive then, and its decoding
     * depends on nothing negotiated.
     */
    public static final FuseNegotiated BEFORE_INIT = new FuseNegotiated(FuseProtocol.KERNEL_MINOR_VERSION, 0);

    /** Whether every bit of {@code flag} was agreed on. */
    public boolean has(long flag) {
        return (flags & flag) == flag;
    }
}
