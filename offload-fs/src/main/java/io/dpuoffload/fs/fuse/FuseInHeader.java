package io.dpuoffload.fs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct fuse_in_header}, the 40 bytes in front of every request.
 *
 * @param len the whole request's length, header included
 * @param opcode the raw opcode; {@link #kind()} names it
 * @param unique the id the reply must carry; bit 63 is {@link FuseProtocol#UNIQUE_RESEND}
 * @param nodeid the inode the request is about (0 for some, e.g. INIT, BATCH_FORGET)
 * @param uid the caller's fsuid (unsigned; {@link FuseProtocol#INVALID_UIDGID} if unmappable)
 * @param gid the caller's fsgid (unsigned)
 * @param pid the caller's thread group id, 0 if the request does not come from a process
 * @param totalExtlen the length of the extensions after the arguments, in 8-byte units (7.38)
 */
public record FuseInHeader(int len, int opcode, long unique, long nodeid, int uid, int gid, int pid, int totalExtlen) {

    /**
     * Reads the header at the buffer's position without moving it, so a forwarder can look at a
     * request before passing its bytes on unchanged.
     *
     * @throws FuseProtocolException if fewer than 40 bytes remain
     */
    public static FuseInHeader read(ByteBuffer buffer) throws FuseProtocolException {
        if (buffer.remaining() < FuseProtocol.IN_HEADER_SIZE) {
            throw new FuseProtocolException("truncated request header: " + buffer.remaining() + " of "
                    + FuseProtocol.IN_HEADER_SIZE + " bytes");
        }
        ByteBuffer b = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
        return new FuseInHeader(
                b.getInt(0),
                b.getInt(4),
                b.getLong(8),
                b.getLong(16),
                b.getInt(24),
                b.getInt(28),
                b.getInt(32),
                Short.toUnsignedInt(b.getShort(36)));
    }

    /** The opcode by name; {@link FuseOpcode#UNKNOWN} for codes this protocol version lacks. */
    public FuseOpcode kind() {
        return FuseOpcode.of(opcode);
    }

    /** Whether the kernel is resending a request it sent before (FUSE_HAS_RESEND). */
    public boolean resend() {
        return (unique & FuseProtocol.UNIQUE_RESEND) != 0;
    }

    /** The bytes of extensions at the end of the request. */
    public int extensionBytes() {
        return totalExtlen * 8;
    }
}
