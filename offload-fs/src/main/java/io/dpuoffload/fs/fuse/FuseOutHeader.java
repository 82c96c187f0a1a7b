package io.dpuoffload.fs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct fuse_out_header}, the 16 bytes in front of every reply and notification. The DPU side
 * reads it to check a reply from the host before writing it to /dev/fuse, where a bad one would be
 * refused by the kernel and lost.
 *
 * @param len the whole message's length, header included
 * @param error 0 or a negative errno for a reply; the {@link FuseNotifyCode} for a notification
 * @param unique the request's id; 0 for a notification
 */
public record FuseOutHeader(int len, int error, long unique) {

    /**
     * Reads and checks the header of a message that fills the buffer from position to limit, without
     * moving the position: the length must be the buffer's, a reply's error must be 0 or a negative
     * errno the kernel accepts, a notification's code positive.
     *
     * @throws FuseProtocolException if the message is short or its header disagrees with it
     */
    public static FuseOutHeader read(ByteBuffer message) throws FuseProtocolException {
        int remaining = message.remaining();
        if (remaining < FuseProtocol.OUT_HEADER_SIZE) {
            throw new FuseProtocolException(
                    "truncated reply header: " + remaining + " of " + FuseProtocol.OUT_HEADER_SIZE + " bytes");
        }
        ByteBuffer b = message.slice().order(ByteOrder.LITTLE_ENDIAN);
        FuseOutHeader header = new FuseOutHeader(b.getInt(0), b.getInt(4), b.getLong(8));
        if (header.len != remaining) {
            throw new FuseProtocolException("reply length " + Integer.toUnsignedString(header.len)
                    + " disagrees with its " + remaining + " bytes");
        }
        if (header.isNotification()) {
            if (header.error <= 0) {
                throw new FuseProtocolException("notification with code " + header.error);
            }
        } else if (header.error > 0 || header.error < -FuseProtocol.MAX_ERRNO) {
            throw new FuseProtocolException(
                    "reply error " + header.error + " outside [-" + FuseProtocol.MAX_ERRNO + ", 0]");
        }
        return header;
    }

    /** Whether this is an unsolicited notification rather than a reply. */
    public boolean isNotification() {
        return unique == 0;
    }
}
