package io.dpuoffload.transport.mux;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/** {@link ByteStream#inputStream()}: reads chunk by chunk; transport failures surface as IOException. */
final class ByteStreamInput extends InputStream {
    private final ByteStream stream;
    private ByteBuf current;
    private boolean ended;

    ByteStreamInput(ByteStream stream) {
        this.stream = stream;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int count = Math.min(length, current.readableBytes());
        current.readBytes(buffer, offset, count);
        return count;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.readableBytes();
    }

    @Override
    public void close() {
        release();
        stream.close();
    }

    private boolean fill() throws IOException {
        while (current == null || !current.isReadable()) {
            release();
            if (ended) {
                return false;
            }
            try {
                current = stream.read();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted reading stream " + stream.id());
            } catch (RuntimeException e) {
                throw new IOException(e.getMessage(), e);
            }
            if (current == null) {
                ended = true;
                return false;
            }
        }
        return true;
    }

    private void release() {
        if (current != null) {
            current.release();
            current = null;
        }
    }
}
