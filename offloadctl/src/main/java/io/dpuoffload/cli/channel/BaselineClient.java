package io.dpuoffload.cli.channel;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The client side of the plain TCP baseline (see {@link BaselineProtocol}): the same loads as {@link ChannelLoad}. */
public final class BaselineClient {

    /** One TCP connect; the peer is on the other end of a veth, so anything longer means it is not there. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private BaselineClient() {}

    /** {@code count} round trips of {@code size} bytes on one connection; each answer is checked. */
    public static long[] echo(InetSocketAddress server, int count, int size, Deadline deadline) throws IOException {
        long[] nanos = new long[count];
        try (Socket socket = connect(server);
                var watch = deadline.onExpiry(() -> closeQuietly(socket))) {
            var out = new DataOutputStream(socket.getOutputStream());
            var in = new DataInputStream(socket.getInputStream());
            out.writeByte(BaselineProtocol.ECHO);
            out.writeInt(size);
            byte[] payload = new byte[size];
            byte[] answer = new byte[size];
            for (int i = 0; i < count; i++) {
                deadline.check();
                ChannelLoad.fill(payload, i);
                long start = System.nanoTime();
                out.write(payload);
                in.readFully(answer);
                nanos[i] = System.nanoTime() - start;
                if (!Arrays.equals(answer, payload)) {
                    throw new IllegalStateException("the TCP echo answered round trip " + i + " with other bytes");
                }
            }
        } catch (IOException e) {
            throw deadline.expiredNow() ? deadline.expired() : new UncheckedIOException(e.getMessage(), e);
        }
        return nanos;
    }

    /** Sends {@code bytes} on a new connection's sink and checks the count; the time excludes the TCP connect. */
    public static Throughput toSink(InetSocketAddress server, long bytes, Deadline deadline) throws IOException {
        try (Socket socket = connect(server);
                var watch = deadline.onExpiry(() -> closeQuietly(socket))) {
            var out = socket.getOutputStream();
            byte[] chunk = new byte[BaselineProtocol.CHUNK_BYTES];
            long start = System.nanoTime();
            out.write(BaselineProtocol.SINK);
            for (long left = bytes; left > 0; ) {
                deadline.check();
                int length = (int) Math.min(left, chunk.length);
                out.write(chunk, 0, length);
                left -= length;
            }
            socket.shutdownOutput();
            long counted;
            try {
                counted = new DataInputStream(socket.getInputStream()).readLong();
            } catch (EOFException e) {
                throw new IllegalStateException("the TCP sink closed without sending the byte count", e);
            }
            long nanos = System.nanoTime() - start;
            if (counted != bytes) {
                throw new IllegalStateException(
                        "the TCP sink counted " + counted + " bytes, but " + bytes + " were sent");
            }
            return new Throughput(bytes, nanos);
        } catch (IOException e) {
            throw deadline.expiredNow() ? deadline.expired() : new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** {@code bytes} split over {@code connections} connections at once, as a user of plain TCP would parallelise. */
    public static Throughput toSinkInParallel(InetSocketAddress server, long bytes, int connections, Deadline deadline)
            throws InterruptedException {
        long start = System.nanoTime();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Throughput>> results = new ArrayList<>();
            for (long share : ChannelLoad.shares(bytes, connections)) {
                results.add(threads.submit(() -> toSink(server, share, deadline)));
            }
            for (Future<Throughput> result : results) {
                ChannelLoad.join(result);
            }
        }
        return new Throughput(bytes, System.nanoTime() - start);
    }

    private static Socket connect(InetSocketAddress server) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(server, CONNECT_TIMEOUT_MILLIS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot connect to the plain TCP baseline at " + server + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing to unblock a stuck read or write; its failure changes nothing.
        }
    }
}
