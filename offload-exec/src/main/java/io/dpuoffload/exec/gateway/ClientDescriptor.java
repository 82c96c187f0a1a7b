package io.dpuoffload.exec.gateway;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Streams over one of a client's descriptors that the gateway took with pidfd_getfd. The open file
 * is shared with the client, its O_NONBLOCK flag included, so both streams wait with poll() rather
 * than trust read() to block; and both give up when {@code cancel} (an eventfd) becomes readable,
 * so a run that ended never leaves a thread parked on a terminal or a pipe that stays open.
 */
final class ClientDescriptor {
    private static final int CHUNK = 64 * 1024;

    /**
     * Writes go out in pieces this big, each after poll() said POLLOUT: a pipe then always has room
     * for the whole piece, so a write never blocks even when the client's pipe is in blocking mode
     * (which we must not change: the client shares that open file with its parent).
     */
    private static final int PIPE_BUF = 4096;

    private ClientDescriptor() {}

    static InputStream input(int fd, int cancel) {
        return new InputStream() {
            private final MemorySegment buffer = Arena.ofAuto().allocate(CHUNK);

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (true) {
                    if (!await(fd, Poll.POLLIN, cancel)) {
                        return -1;
                    }
                    long n = FileCalls.readSome(fd, buffer, Math.min(len, CHUNK));
                    if (n > 0) {
                        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
                        return (int) n;
                    }
                    if (n != -Errno.EAGAIN) {
                        return -1; // end of file, or EIO from a hung-up terminal: end of input either way
                    }
                }
            }
        };
    }

    static OutputStream output(int fd, int cancel) {
        return new OutputStream() {
            private final MemorySegment buffer = Arena.ofAuto().allocate(PIPE_BUF);

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    if (!await(fd, Poll.POLLOUT, cancel)) {
                        throw new IOException("the run was cancelled");
                    }
                    int chunk = Math.min(len, PIPE_BUF);
                    MemorySegment.copy(b, off, buffer, ValueLayout.JAVA_BYTE, 0, chunk);
                    long n = FileCalls.writeSome(fd, buffer, chunk);
                    if (n < 0 && n != -Errno.EAGAIN) {
                        throw new IOException("write: " + Errno.name((int) -n));
                    }
                    off += (int) Math.max(n, 0);
                    len -= (int) Math.max(n, 0);
                }
            }
        };
    }

    /** Waits until {@code fd} is ready for {@code events}; false once {@code cancel} fires. */
    private static boolean await(int fd, short events, int cancel) throws IOException {
        int[] fds = {fd, cancel};
        short[] wanted = {events, Poll.POLLIN};
        short[] got = new short[2];
        try {
            Poll.poll(fds, wanted, got, -1);
        } catch (ErrnoException e) {
            throw new IOException(e.getMessage(), e);
        }
        return got[1] == 0;
    }
}
