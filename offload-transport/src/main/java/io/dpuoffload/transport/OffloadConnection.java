package io.dpuoffload.transport;

import io.dpuoffload.transport.frame.GoAwayCode;
import io.dpuoffload.transport.liveness.Heartbeat;
import io.dpuoffload.transport.mux.ByteStream;
import io.dpuoffload.transport.mux.Multiplexer;
import io.dpuoffload.transport.tls.PeerIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * One authenticated, handshaken connection to the peer. Both sides can send requests and open
 * streams over it. Failures are {@link TransportException}s.
 */
public final class OffloadConnection implements AutoCloseable {
    private final Channel channel;
    private final Multiplexer mux;
    private final Heartbeat heartbeat;
    private final Duration defaultTimeout;

    public OffloadConnection(Channel channel, Multiplexer mux, Heartbeat heartbeat, Duration defaultTimeout) {
        this.channel = channel;
        this.mux = mux;
        this.heartbeat = heartbeat;
        this.defaultTimeout = defaultTimeout;
    }

    public PeerIdentity peer() {
        return mux.settings().peer();
    }

    public int protocolVersion() {
        return mux.settings().protocolVersion();
    }

    /** The features both sides offered (those defined in this process; see {@link Feature#fromMask}). */
    public Set<Feature> features() {
        return Feature.fromMask(mux.settings().features());
    }

    /** Whether both sides offered {@code feature}. */
    public boolean offers(Feature feature) {
        return (mux.settings().features() & Feature.toMask(Set.of(feature))) != 0;
    }

    /**
     * The certificate the peer presented in the TLS handshake; empty without TLS (a Unix socket).
     * After a certificate is renewed, it tells which one a connection was made with.
     */
    public Optional<X509Certificate> peerCertificate() {
        return session().flatMap(session -> {
            try {
                return first(session.getPeerCertificates());
            } catch (SSLPeerUnverifiedException e) {
                return Optional.empty();
            }
        });
    }

    /** The certificate this side presented in the TLS handshake; empty without TLS. */
    public Optional<X509Certificate> localCertificate() {
        return session().flatMap(session -> first(session.getLocalCertificates()));
    }

    private Optional<SSLSession> session() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        return ssl == null ? Optional.empty() : Optional.of(ssl.engine().getSession());
    }

    private static Optional<X509Certificate> first(Certificate[] chain) {
        return chain != null && chain.length > 0 && chain[0] instanceof X509Certificate certificate
                ? Optional.of(certificate)
                : Optional.empty();
    }

    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    /**
     * Sends a request and returns its answer. The body's ownership passes to the transport; the
     * caller releases the answer. Fails with {@link DeadlineExceededException} at the deadline,
     * {@link ConnectionLostException} when the connection drops, {@link RemoteException} when the
     * peer's handler answered with an error, {@link StreamResetException} when refused.
     */
    public CompletableFuture<ByteBuf> request(int service, ByteBuf body, Duration timeout) {
        return mux.request(service, body, timeout);
    }

    public CompletableFuture<ByteBuf> request(int service, ByteBuf body) {
        return request(service, body, defaultTimeout);
    }

    /**
     * Sends a message that wants no answer: the peer runs the service's handler and sends nothing
     * back. It goes out with this side's next flushed frame, or within {@link #NOTICE_BOUND}, in order
     * with the frames before and after it. The body's ownership passes to the transport. Completes
     * once it is on its way; fails with {@link ConnectionLostException} when the connection is lost
     * first (the peer may or may not have run it). A peer without {@link Feature#NOTICES} gets a
     * request instead, {@code timeout} its deadline, whose answer is dropped.
     */
    public CompletableFuture<Void> notice(int service, ByteBuf body, Duration timeout) {
        return mux.notice(service, body, timeout);
    }

    /** The longest a notice waits for another frame to go out with. */
    public static final Duration NOTICE_BOUND = Multiplexer.NOTICE_BOUND;

    /** Opens a byte stream to a service of the peer; {@code header} tells the handler what it is for. */
    public ByteStream openStream(int service, ByteBuf header) {
        return mux.openStream(service, header);
    }

    /** Last heartbeat round trip, or null before the first one. */
    public Duration lastRoundTrip() {
        long nanos = heartbeat.lastRoundTripNanos();
        return nanos < 0 ? null : Duration.ofNanos(nanos);
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Completes with the reason the connection closed. */
    public CompletableFuture<String> closeFuture() {
        return mux.closeFuture();
    }

    /** Tells the peer this side is shutting down, then closes. */
    @Override
    public void close() {
        mux.close(GoAwayCode.SHUTDOWN, "shutting down");
    }

    @Override
    public String toString() {
        return "connection to " + mux.peerDescription();
    }
}
