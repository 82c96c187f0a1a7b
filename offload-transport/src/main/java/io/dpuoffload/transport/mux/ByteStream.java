package io.dpuoffload.transport.mux;

import io.dpuoffload.transport.StreamResetException;
import io.dpuoffload.transport.TransportException;
import io.dpuoffload.transport.frame.Frame.StreamData;
import io.dpuoffload.transport.frame.FrameFormat;
import io.dpuoffload.transport.frame.ResetCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A long-lived, flow-controlled byte stream multiplexed over a connection (file I/O, process stdio,
 * socket relays). Each direction has a window: the sender may have at most that many bytes
 * unacknowledged, and the receiver acknowledges only bytes the application has read. So a slow
 * reader stops the writer instead of making either side buffer without bound: at most one window
 * per stream is ever queued at the receiver.
 *
 * <p>Writes are asynchronous (await each future, or use {@link #outputStream()}); reads block and
 * belong on virtual or other non-event-loop threads.
 */
public final class ByteStream implements AutoCloseable {

    private final int id;
    private final StreamSink sink;
    private final int windowBytes;

    // Inbound side: filled on the event loop, drained by readers.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ByteBuf> received = new ArrayDeque<>();
    private boolean remoteFinished;
    private boolean closedByUs;
    private TransportException failure;
    private int unacknowledged;

    // Event-loop-only state.
    private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();
    private int sendWindow;
    private int receiveWindow;
    private boolean finQueued;
    private boolean finSent;
    private boolean done;
    private final CompletableFuture<Void> finSentFuture = new CompletableFuture<>();

    private record PendingWrite(ByteBuf data, CompletableFuture<Void> done) {}

    /**
     * Takes the stream's data on the event loop, as it arrives, instead of {@link #read()}: for relays
     * that hand it straight to another descriptor on the same loop, with no thread in between. The
     * receiver owns each chunk, and returns window to the peer with {@link #consumed} once it has
     * passed the bytes on, so a slow destination still stops the sender.
     */
    public interface Receiver {
        void onData(ByteBuf data);

        /** The peer finished its direction: no more data. */
        void onEnd();

        /** The stream was reset or the connection lost. */
        void onFailure(TransportException cause);
    }

    private Receiver receiver; // event loop only

    ByteStream(int id, StreamSink sink, int windowBytes) {
        this.id = id;
        this.sink = sink;
        this.windowBytes = windowBytes;
        this.sendWindow = windowBytes;
        this.receiveWindow = windowBytes;
    }

    public int id() {
        return id;
    }

    /** The event loop of this stream's connection: where a {@link Receiver} is called. */
    public EventLoop eventLoop() {
        return sink.eventLoop();
    }

    /**
     * Switches this stream to delivery on the event loop (see {@link Receiver}); what arrived before
     * is delivered first. Use it instead of {@link #read()}, never with it.
     */
    public void receiveOnEventLoop(Receiver value) {
        onLoop(() -> {
            List<ByteBuf> early;
            boolean finished;
            TransportException failed;
            lock.lock();
            try {
                early = new ArrayList<>(received);
                received.clear();
                finished = remoteFinished;
                failed = failure;
            } finally {
                lock.unlock();
            }
            receiver = value;
            early.forEach(value::onData);
            if (failed != null) {
                value.onFailure(failed);
            } else if (finished) {
                value.onEnd();
            }
        });
    }

    /** A {@link Receiver} has passed on {@code bytes} of what it was given: the peer may send as many more. */
    public void consumed(int bytes) {
        lock.lock();
        try {
            acknowledge(bytes);
        } finally {
            lock.unlock();
        }
    }

    private void onLoop(Runnable task) {
        if (sink.eventLoop().inEventLoop()) {
            task.run();
        } else {
            sink.eventLoop().execute(task);
        }
    }

    /**
     * Sends {@code data} (ownership passes to the stream). The future completes when the last byte
     * has gone to the socket; it waits while the peer's window is full.
     */
    public CompletableFuture<Void> write(ByteBuf data) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        onLoop(() -> {
            if (failureOrNull() != null || finQueued || done) {
                data.release();
                written.completeExceptionally(failureOrNull() != null ? failureOrNull() : closedForWriting());
                return;
            }
            pending.add(new PendingWrite(data, written));
            drain();
        });
        return written;
    }

    /** Ends this side's direction (the peer reads end of stream) once every queued write is sent. */
    public CompletableFuture<Void> finish() {
        sink.eventLoop().execute(() -> {
            if (!finQueued && !done) {
                finQueued = true;
                drain();
            }
        });
        return finSentFuture;
    }

    /**
     * The next chunk the peer sent, or null at the end of the stream. Blocks until one arrives.
     * The caller owns (and releases) the chunk.
     *
     * @throws TransportException when the stream was reset or the connection lost, after every
     *     chunk that did arrive has been read
     */
    public ByteBuf read() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                ByteBuf chunk = received.poll();
                if (chunk != null) {
                    acknowledge(chunk.readableBytes());
                    return chunk;
                }
                if (remoteFinished || closedByUs) {
                    return null;
                }
                if (failure != null) {
                    throw failure;
                }
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A blocking view for code that wants streams (reads end at -1 on end of stream). */
    public InputStream inputStream() {
        return new ByteStreamInput(this);
    }

    /** A blocking view: each write waits until the bytes are sent, so it never queues without bound. */
    public OutputStream outputStream() {
        return new ByteStreamOutput(this);
    }

    /** Abandons the stream in both directions: the peer sees a reset. */
    public void cancel(String reason) {
        sink.eventLoop().execute(() -> {
            if (!done) {
                sink.reset(id, ResetCode.CANCELLED, reason);
                onFailure(new StreamResetException(ResetCode.CANCELLED, "stream " + id + " cancelled: " + reason));
            }
        });
    }

    /** Cancels the stream unless it finished cleanly, and drops anything unread. */
    @Override
    public void close() {
        lock.lock();
        try {
            closedByUs = true;
            received.forEach(ByteBuf::release);
            received.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        sink.eventLoop().execute(() -> {
            if (!done) {
                sink.reset(id, ResetCode.CANCELLED, "closed by the application");
                onFailure(new StreamResetException(ResetCode.CANCELLED, "stream " + id + " closed"));
            }
        });
    }

    // ---- called by the multiplexer on the event loop ----

    void onData(StreamData frame) {
        ByteBuf data = frame.data();
        int length = data.readableBytes();
        if (length > receiveWindow) {
            data.release();
            String reason = "peer sent " + length + " bytes on stream " + id + " with a window of " + receiveWindow;
            sink.reset(id, ResetCode.FLOW_CONTROL, reason);
            onFailure(new StreamResetException(ResetCode.FLOW_CONTROL, reason));
            return;
        }
        receiveWindow -= length;
        if (receiver != null) {
            if (length > 0) {
                receiver.onData(data);
            } else {
                data.release();
            }
            if (frame.fin()) {
                lock.lock();
                try {
                    remoteFinished = true;
                } finally {
                    lock.unlock();
                }
                receiver.onEnd();
                checkDone();
            }
            return;
        }
        lock.lock();
        try {
            if (length > 0 && !closedByUs) {
                received.add(data);
            } else {
                data.release();
            }
            if (frame.fin()) {
                remoteFinished = true;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (frame.fin()) {
            checkDone();
        }
    }

    void onWindowUpdate(int increment) {
        sendWindow = (int) Math.min(Integer.MAX_VALUE, (long) sendWindow + increment);
        drain();
    }

    void onFailure(TransportException cause) {
        boolean first;
        lock.lock();
        try {
            first = failure == null;
            if (first) {
                failure = cause;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (first && receiver != null && !done) {
            receiver.onFailure(cause);
        }
        for (PendingWrite write; (write = pending.poll()) != null; ) {
            write.data().release();
            write.done().completeExceptionally(cause);
        }
        finSentFuture.completeExceptionally(cause);
        markDone();
    }

    // ---- internals ----

    private void drain() {
        boolean wrote = false;
        while (!pending.isEmpty() && sendWindow > 0) {
            PendingWrite write = pending.peek();
            int length = Math.min(write.data().readableBytes(), Math.min(sendWindow, FrameFormat.MAX_DATA_CHUNK_BYTES));
            if (length > 0) {
                sendWindow -= length;
                ChannelFuture sent = sink.send(new StreamData(id, write.data().readRetainedSlice(length), false));
                wrote = true;
                if (!write.data().isReadable()) {
                    sent.addListener(f -> complete(write.done(), f.cause()));
                }
            }
            if (!write.data().isReadable()) {
                pending.poll();
                write.data().release();
                if (length == 0) {
                    write.done().complete(null);
                }
            }
        }
        if (finQueued && !finSent && pending.isEmpty()) {
            finSent = true;
            sink.send(new StreamData(id, Unpooled.EMPTY_BUFFER, true))
                    .addListener(f -> complete(finSentFuture, f.cause()));
            wrote = true;
            checkDone();
        }
        if (wrote) {
            sink.flush();
        }
    }

    /** Called with the lock held: returns window to the peer once a quarter of it has been read. */
    private void acknowledge(int length) {
        unacknowledged += length;
        if (unacknowledged >= windowBytes / 4) {
            int increment = unacknowledged;
            unacknowledged = 0;
            sink.eventLoop().execute(() -> {
                if (!done && !remoteFinished()) {
                    receiveWindow += increment;
                    sink.send(new io.dpuoffload.transport.frame.Frame.WindowUpdate(id, increment));
                    sink.flush();
                }
            });
        }
    }

    private boolean remoteFinished() {
        lock.lock();
        try {
            return remoteFinished;
        } finally {
            lock.unlock();
        }
    }

    private TransportException failureOrNull() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    private void checkDone() {
        if (finSent && remoteFinished()) {
            markDone();
        }
    }

    private void markDone() {
        if (!done) {
            done = true;
            sink.streamDone(id);
        }
    }

    private IllegalStateException closedForWriting() {
        return new IllegalStateException(
                "stream " + id + " to " + sink.peerDescription() + " is finished for writing: write before finish()");
    }

    private static void complete(CompletableFuture<Void> future, Throwable cause) {
        if (cause == null) {
            future.complete(null);
        } else {
            future.completeExceptionally(cause);
        }
    }
}
