package io.dpuoffload.fs.fuse;

import java.nio.ByteBuffer;

/**
 * Sequential little-endian reads within one region of a request, each checked against the region's
 * end so that a short message becomes a {@link FuseProtocolException} naming the field, never a
 * {@link java.nio.BufferUnderflowException}.
 */
final class WireReader {

    private final ByteBuffer buffer;
    private final String what;
    private final int start;
    private final int end;
    private int pos;

    /** Reads {@code buffer} (little-endian) from {@code start} to {@code end}, absolute indexes. */
    WireReader(ByteBuffer buffer, int start, int end, String what) {
        this.buffer = buffer;
        this.start = start;
        this.end = end;
        this.pos = start;
        this.what = what;
    }

    int remaining() {
        return end - pos;
    }

    int u16(String field) throws FuseProtocolException {
        need(2, field);
        int v = Short.toUnsignedInt(buffer.getShort(pos));
        pos += 2;
        return v;
    }

    int u32(String field) throws FuseProtocolException {
        need(4, field);
        int v = buffer.getInt(pos);
        pos += 4;
        return v;
    }

    long u64(String field) throws FuseProtocolException {
        need(8, field);
        long v = buffer.getLong(pos);
        pos += 8;
        return v;
    }

    void skip(int n, String field) throws FuseProtocolException {
        need(n, field);
        pos += n;
    }

    /** A NUL-terminated string, without its NUL. */
    byte[] cstring(String field) throws FuseProtocolException {
        for (int i = pos; i < end; i++) {
            if (buffer.get(i) == 0) {
                byte[] s = new byte[i - pos];
                buffer.get(pos, s);
                pos = i + 1;
                return s;
            }
        }
        throw new FuseProtocolException(
                what + ": " + field + " is not NUL-terminated within its " + remaining() + " bytes");
    }

    /** A copy of the next {@code n} bytes ({@code n} unsigned). */
    byte[] bytes(int n, String field) throws FuseProtocolException {
        need(n, field);
        byte[] b = new byte[n];
        buffer.get(pos, b);
        pos += n;
        return b;
    }

    /** A view of the next {@code n} bytes ({@code n} unsigned), sharing the request's memory. */
    ByteBuffer slice(int n, String field) throws FuseProtocolException {
        need(n, field);
        ByteBuffer s = buffer.slice(pos, n);
        pos += n;
        return s;
    }

    /** Fails if any byte of the region is left over: the kernel sends arguments of exact size. */
    void expectEnd() throws FuseProtocolException {
        if (pos != end) {
            throw new FuseProtocolException(
                    what + ": " + (end - pos) + " unexpected bytes after " + (pos - start) + " bytes of arguments");
        }
    }

    /** Fails unless exactly {@code n} bytes are left: the payload a size or count field announces. */
    void expectRemaining(long n, String field) throws FuseProtocolException {
        if (n != remaining()) {
            throw new FuseProtocolException(
                    what + ": " + field + " announces " + n + " bytes but " + remaining() + " follow");
        }
    }

    /** A reader of the next {@code n} bytes, which this one skips. */
    WireReader sub(int n, String field) throws FuseProtocolException {
        need(n, field);
        WireReader sub = new WireReader(buffer, pos, pos + n, what + " " + field);
        pos += n;
        return sub;
    }

    private void need(int n, String field) throws FuseProtocolException {
        if (n < 0 || n > end - pos) {
            throw new FuseProtocolException(what + ": truncated at " + field + ": needs " + Integer.toUnsignedString(n)
                    + " bytes, " + remaining() + " left");
        }
    }
}
