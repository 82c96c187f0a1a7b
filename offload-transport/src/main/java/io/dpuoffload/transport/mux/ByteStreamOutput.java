package io.dpuoffload.transport.mux;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;

/** {@link ByteStream#outputStream()}: each write waits until sent; close half-closes the stream. */
final class ByteStreamOutput extends OutputStream {
    private final ByteStream stream;

    ByteStreamOutput(ByteStream stream) {
        this.stream = stream;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        await(stream.write(Unpooled.copiedBuffer(buffer, offset, length)));
    }

    @Override
    public void close() throws IOException {
        await(stream.finish());
    }

    private void await(java.util.concurrent.CompletableFuture<Void> future) throws IOException {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted writing stream " + stream.id());
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }
}
