package io.dpuoffload.transport;

import io.dpuoffload.transport.metrics.TransportMetrics;
import io.dpuoffload.transport.mux.ByteStream;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.net.EventLoops;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connecting side of the channel (the DPU, usually), kept connected: when the connection drops,
 * it reconnects with exponential backoff and jitter until closed. Requests sent while disconnected
 * wait for the next connection, but never past their deadline; requests in flight when the
 * connection drops fail at once with {@link ConnectionLostException}.
 */
public final class OffloadClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OffloadClient.class);

    private final Endpoint endpoint;
    private final TransportConfig config;
    private final TransportMetrics metrics;
    private final Consumer<OffloadConnection> onConnected;
    private volatile CompletableFuture<OffloadConnection> next = new CompletableFuture<>();
    private volatile OffloadConnection connection;
    private volatile TransportException lastFailure;
    private volatile boolean closed;
    private boolean everConnected;
    private int failedAttempts;
    /** An attempt under way: at most one at a time. */
    private boolean attempting;
    /** The next attempt, waiting out its backoff. */
    private ScheduledFuture<?> scheduled;

    private OffloadClient(Endpoint endpoint, TransportConfig config, Consumer<OffloadConnection> onConnected) {
        this.endpoint = endpoint;
        this.config = config;
        this.metrics = new TransportMetrics(config.meters(), "client", config.nodeName());
        this.onConnected = onConnected;
    }

    /** Starts connecting in the background and keeps the connection up until {@link #close()}. */
    public static OffloadClient start(
            Endpoint endpoint, TransportConfig config, Consumer<OffloadConnection> onConnected) {
        OffloadClient client = new OffloadClient(endpoint, config, onConnected);
        client.attempt();
        return client;
    }

    public static OffloadClient start(Endpoint endpoint, TransportConfig config) {
        return start(endpoint, config, connection -> {});
    }

    /** One connection attempt without reconnecting, for tools and probes. */
    public static CompletableFuture<OffloadConnection> connectOnce(Endpoint endpoint, TransportConfig config) {
        return Connector.connect(endpoint, config, new TransportMetrics(config.meters(), "client", config.nodeName()));
    }

    /** The current connection, waiting for one at most {@code timeout}. */
    public OffloadConnection connection(Duration timeout) {
        try {
            return next.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw notConnected(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionLostException("interrupted while waiting for " + endpoint);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (TransportException) e.getCause();
        }
    }

    /** Sends a request over the current or next connection; see {@link OffloadConnection#request}. */
    public CompletableFuture<ByteBuf> request(int service, ByteBuf body, Duration timeout) {
        OffloadConnection current = connection;
        if (current != null && current.isOpen()) {
            return current.request(service, body, timeout); // no wait: skip the timer that bounds it
        }
        long start = System.nanoTime();
        // copy(): orTimeout completes the future it is called on, and `next` is shared by all callers.
        return next.copy()
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .exceptionallyCompose(failure -> {
                    body.release();
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    return CompletableFuture.failedFuture(
                            cause instanceof TimeoutException ? notConnected(timeout) : cause);
                })
                .thenCompose(live -> live.request(service, body, timeout.minusNanos(System.nanoTime() - start)));
    }

    public CompletableFuture<ByteBuf> request(int service, ByteBuf body) {
        return request(service, body, config.requestTimeout());
    }

    /**
     * Sends a notice over the current or next connection (see {@link OffloadConnection#notice}):
     * while disconnected it waits for the next connection as a request does, at most {@code timeout}.
     */
    public CompletableFuture<Void> notice(int service, ByteBuf body, Duration timeout) {
        OffloadConnection current = connection;
        if (current != null && current.isOpen()) {
            return current.notice(service, body, timeout);
        }
        long start = System.nanoTime();
        return next.copy()
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .exceptionallyCompose(failure -> {
                    body.release();
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    return CompletableFuture.failedFuture(
                            cause instanceof TimeoutException ? notConnected(timeout) : cause);
                })
                .thenCompose(live -> live.notice(service, body, timeout.minusNanos(System.nanoTime() - start)));
    }

    /** Opens a byte stream on the current connection; fails at once when there is none. */
    public ByteStream openStream(int service, ByteBuf header) {
        OffloadConnection live = connection;
        if (live == null || !live.isOpen()) {
            header.release();
            throw notConnected(Duration.ZERO);
        }
        return live.openStream(service, header);
    }

    /**
     * Tries to connect now rather than at the end of the backoff: something tells that the peer is
     * back (another connection to the same host just came up), so waiting is time lost. Nothing
     * happens while connected, connecting, or closed.
     */
    public synchronized void reconnectNow() {
        if (closed || connection != null || attempting) {
            return;
        }
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
        attempt();
    }

    public boolean isConnected() {
        OffloadConnection live = connection;
        return live != null && live.isOpen();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public TransportMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        closed = true;
        OffloadConnection live = connection;
        if (live != null) {
            live.close();
            live.closeFuture()
                    .copy()
                    .completeOnTimeout("timed out", 2, TimeUnit.SECONDS)
                    .join();
        }
        next.completeExceptionally(new ConnectionLostException("client for " + endpoint + " was closed"));
    }

    private synchronized void attempt() {
        if (closed || attempting || connection != null) {
            return;
        }
        attempting = true;
        scheduled = null;
        Connector.connect(endpoint, config, metrics).whenComplete((live, failure) -> {
            if (failure != null) {
                onAttemptFailed(failure instanceof CompletionException ? failure.getCause() : failure);
            } else {
                onConnected(live);
            }
        });
    }

    private synchronized void onConnected(OffloadConnection live) {
        attempting = false;
        if (closed) {
            live.close();
            return;
        }
        if (everConnected) {
            metrics.reconnect();
        }
        everConnected = true;
        failedAttempts = 0;
        lastFailure = null;
        connection = live;
        log.info("{} connected to {} at {}", config.nodeName(), live.peer(), endpoint);
        live.closeFuture().whenComplete((reason, e) -> onLost(live, reason));
        onConnected.accept(live);
        next.complete(live);
    }

    private synchronized void onLost(OffloadConnection lost, String reason) {
        if (connection != lost) {
            return;
        }
        connection = null;
        next = new CompletableFuture<>();
        if (closed) {
            next.completeExceptionally(new ConnectionLostException("client for " + endpoint + " was closed"));
            return;
        }
        lastFailure = new ConnectionLostException("connection to " + endpoint + " lost: " + reason);
        log.warn("{}: connection to {} lost ({}); reconnecting", config.nodeName(), endpoint, reason);
        scheduleAttempt();
    }

    private synchronized void onAttemptFailed(Throwable failure) {
        attempting = false;
        TransportException error = failure instanceof TransportException t
                ? t
                : new ConnectionLostException("cannot connect to " + endpoint + ": " + failure.getMessage(), failure);
        boolean news =
                lastFailure == null || !String.valueOf(lastFailure.getMessage()).equals(error.getMessage());
        lastFailure = error;
        if (news) {
            log.warn("{}: {}; retrying with backoff", config.nodeName(), error.getMessage());
        } else {
            log.debug("{}: attempt {} failed again: {}", config.nodeName(), failedAttempts, error.getMessage());
        }
        failedAttempts++;
        scheduleAttempt();
    }

    private void scheduleAttempt() {
        if (closed) {
            return;
        }
        Duration delay = config.reconnect().delay(failedAttempts);
        scheduled = EventLoops.shared().schedule(this::attempt, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private TransportException notConnected(Duration waited) {
        TransportException last = lastFailure;
        String why = last == null ? "still connecting" : last.getMessage();
        String message = "not connected to " + endpoint
                + (waited.isZero() ? "" : " within " + waited.toMillis() + " ms") + ": " + why;
        return last instanceof HandshakeException
                ? new HandshakeException(message, last)
                : new DeadlineExceededException(message, last);
    }
}
