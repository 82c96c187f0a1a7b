package io.dpuoffload.exec.gateway;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.Poll;
import io.dpuoffload.linux.Stat;
import io.dpuoffload.linux.UnixSockets;
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
     * The fallback's pieces, each written after poll() said POLLOUT: a pipe then always has room for
     * the whole piece, so a write never blocks even on a descriptor in blocking mode.
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

    /**
     * Writes to the client's {@code fd} without ever blocking (so a cancelled run never leaves a
     * thread stuck on a reader that stalls): a socket with MSG_DONTWAIT; a pipe or terminal through
     * our own open of it in non-blocking mode (the client's open file, shared with its parent, is
     * left as it is); a regular file directly. Where none of that works, in pieces small enough
     * that a pipe that polled writable always takes them whole.
     */
    static OutputStream output(int fd, int cancel) {
        Stat stat;
        try {
            stat = Metadata.fstat(fd);
        } catch (ErrnoException e) {
            return OutputStream.nullOutputStream();
        }
        if (stat.type() == Flags.S_IFSOCK) {
            return new Output(fd, -1, cancel, CHUNK) {
                @Override
                long write(MemorySegment bytes, long length) {
                    return UnixSockets.send(fd, bytes, length);
                }
            };
        }
        if (stat.isRegularFile()) {
            return new Output(fd, -1, cancel, CHUNK);
        }
        try {
            int own = FileCalls.openat(
                    Flags.AT_FDCWD, "/proc/self/fd/" + fd, Flags.O_WRONLY | Flags.O_NONBLOCK | Flags.O_CLOEXEC, 0);
            return new Output(own, own, cancel, CHUNK);
        } catch (ErrnoException e) {
            return new Output(fd, -1, cancel, PIPE_BUF);
        }
    }

    /** Writes in pieces of at most {@code piece} bytes, waiting for POLLOUT whenever the descriptor is full. */
    private static class Output extends OutputStream {
        private final int fd;
        private final int owned;
        private final int cancel;
        private final int piece;
        private final MemorySegment buffer;

        Output(int fd, int owned, int cancel, int piece) {
            this.fd = fd;
            this.owned = owned;
            this.cancel = cancel;
            this.piece = piece;
            this.buffer = Arena.ofAuto().allocate(piece);
        }

        long write(MemorySegment bytes, long length) {
            return FileCalls.writeSome(fd, bytes, length);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (piece == PIPE_BUF && !await(fd, Poll.POLLOUT, cancel)) {
                    throw new IOException("the run was cancelled");
                }
                int chunk = Math.min(len, piece);
                MemorySegment.copy(b, off, buffer, ValueLayout.JAVA_BYTE, 0, chunk);
                long n = write(buffer, chunk);
                if (n == -Errno.EAGAIN) {
                    if (!await(fd, Poll.POLLOUT, cancel)) {
                        throw new IOException("the run was cancelled");
                    }
                    continue;
                }
                if (n < 0) {
                    throw new IOException("write: " + Errno.name((int) -n));
                }
                off += (int) n;
                len -= (int) n;
            }
        }

        @Override
        public void close() {
            if (owned >= 0) {
                FileCalls.closeQuietly(owned);
            }
        }
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
