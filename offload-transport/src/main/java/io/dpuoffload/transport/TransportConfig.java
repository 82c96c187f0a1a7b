package io.dpuoffload.transport;

import io.dpuoffload.transport.net.EventLoops;
import io.dpuoffload.transport.tls.PeerIdentity;
import io.dpuoffload.transport.tls.TlsContextSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * Everything a server or client of the channel is configured with. Defaults are production values;
 * each limit says why it is what it is.
 *
 * @param nodeName this side's name, for logs and metrics
 * @param tls where each new connection gets its mutual TLS context: a fixed one from {@code
 *     TlsContexts}, or a {@code ReloadingTlsContext} that follows the certificate files; null only on
 *     Unix sockets, or with {@code insecurePlaintext} for benchmarks
 * @param insecurePlaintext allows TCP without TLS (benchmarks only; logged loudly)
 * @param peerPolicy which authenticated peers may talk to this side (checked after TLS)
 * @param heartbeatInterval a PING is sent after this long without sending anything
 * @param peerTimeout a peer silent this long (no frame, not even a PONG) is declared dead
 * @param handshakeTimeout a connection that has not finished TLS and HELLO by then is dropped
 * @param connectTimeout how long one TCP/Unix connect may take
 * @param requestTimeout the deadline of requests that do not name their own
 * @param reconnect the client's backoff between connection attempts
 * @param maxConcurrentStreams requests and streams open at once per connection, per direction; a
 *     cap on what one peer can make this side hold
 * @param streamWindowBytes per-stream flow-control window: the most bytes of one stream either side
 *     buffers for a slow reader
 * @param eventLoops where a client's connections run: the process's shared loops, or one chosen
 *     loop, so that other I/O registered on that loop (a FUSE device) reaches the channel with no
 *     hand-off between threads
 */
public record TransportConfig(
        String nodeName,
        TlsContextSource tls,
        boolean insecurePlaintext,
        Predicate<PeerIdentity> peerPolicy,
        ProtocolVersions versions,
        Set<Feature> features,
        Services services,
        Duration heartbeatInterval,
        Duration peerTimeout,
        Duration handshakeTimeout,
        Duration connectTimeout,
        Duration requestTimeout,
        Backoff reconnect,
        int maxConcurrentStreams,
        int streamWindowBytes,
        Executor handlerExecutor,
        EventLoopGroup eventLoops,
        MeterRegistry meters) {

    /** 4,096 open exchanges per direction is far above what the fs, ipc and exec services need. */
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 4096;

    /** 256 KiB keeps a 10 Gb/s link busy at ~200 µs round trip, and bounds a slow reader's cost. */
    public static final int DEFAULT_STREAM_WINDOW_BYTES = 256 * 1024;

    public TransportConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(peerPolicy, "peerPolicy");
        Objects.requireNonNull(versions, "versions");
        features = Set.copyOf(features);
        Objects.requireNonNull(services, "services");
        requirePositive(heartbeatInterval, "heartbeatInterval");
        requirePositive(peerTimeout, "peerTimeout");
        if (peerTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("peerTimeout (" + peerTimeout + ") must be at least twice the "
                    + "heartbeatInterval (" + heartbeatInterval + "), or a live peer looks dead");
        }
        requirePositive(handshakeTimeout, "handshakeTimeout");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        Objects.requireNonNull(reconnect, "reconnect");
        if (maxConcurrentStreams < 1) {
            throw new IllegalArgumentException("maxConcurrentStreams must be at least 1");
        }
        if (streamWindowBytes < 1024) {
            throw new IllegalArgumentException("streamWindowBytes must be at least 1024");
        }
        Objects.requireNonNull(handlerExecutor, "handlerExecutor");
        Objects.requireNonNull(eventLoops, "eventLoops");
        Objects.requireNonNull(meters, "meters");
    }

    public static Builder builder(String nodeName) {
        return new Builder(nodeName);
    }

    public Builder toBuilder() {
        Builder b = new Builder(nodeName);
        b.tls = tls;
        b.insecurePlaintext = insecurePlaintext;
        b.peerPolicy = peerPolicy;
        b.versions = versions;
        b.features = features;
        b.services = services;
        b.heartbeatInterval = heartbeatInterval;
        b.peerTimeout = peerTimeout;
        b.handshakeTimeout = handshakeTimeout;
        b.connectTimeout = connectTimeout;
        b.requestTimeout = requestTimeout;
        b.reconnect = reconnect;
        b.maxConcurrentStreams = maxConcurrentStreams;
        b.streamWindowBytes = streamWindowBytes;
        b.handlerExecutor = handlerExecutor;
        b.eventLoops = eventLoops;
        b.meters = meters;
        return b;
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
    }

    /** Handlers run on virtual threads: they may block on disks, fifos and processes. */
    private static final Executor VIRTUAL_THREADS = Executors.newVirtualThreadPerTaskExecutor();

    public static final class Builder {
        private final String nodeName;
        private TlsContextSource tls;
        private boolean insecurePlaintext;
        private Predicate<PeerIdentity> peerPolicy = peer -> true;
        private ProtocolVersions versions = ProtocolVersions.SUPPORTED;
        private Set<Feature> features = Set.of();
        private Services services = Services.NONE;
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private Duration peerTimeout = Duration.ofSeconds(5);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Backoff reconnect = Backoff.DEFAULT;
        private int maxConcurrentStreams = DEFAULT_MAX_CONCURRENT_STREAMS;
        private int streamWindowBytes = DEFAULT_STREAM_WINDOW_BYTES;
        private Executor handlerExecutor = VIRTUAL_THREADS;
        private EventLoopGroup eventLoops;
        private MeterRegistry meters = Metrics.globalRegistry;

        private Builder(String nodeName) {
            this.nodeName = nodeName;
        }

        /** One context for every connection; null for none. */
        public Builder tls(SslContext value) {
            tls = value == null ? null : TlsContextSource.fixed(value);
            return this;
        }

        /** A context per connection from {@code value}, e.g. a {@code ReloadingTlsContext}; null for none. */
        public Builder tlsSource(TlsContextSource value) {
            tls = value;
            return this;
        }

        public Builder insecurePlaintext(boolean value) {
            insecurePlaintext = value;
            return this;
        }

        public Builder peerPolicy(Predicate<PeerIdentity> value) {
            peerPolicy = value;
            return this;
        }

        /** Only a peer whose certificate names this node may talk to this side. */
        public Builder expectPeer(String peerNodeName) {
            peerPolicy = peer -> peer.isNode() && peerNodeName.equals(peer.name());
            return this;
        }

        public Builder versions(ProtocolVersions value) {
            versions = value;
            return this;
        }

        public Builder features(Set<Feature> value) {
            features = value;
            return this;
        }

        public Builder services(Services value) {
            services = value;
            return this;
        }

        public Builder heartbeatInterval(Duration value) {
            heartbeatInterval = value;
            return this;
        }

        public Builder peerTimeout(Duration value) {
            peerTimeout = value;
            return this;
        }

        public Builder handshakeTimeout(Duration value) {
            handshakeTimeout = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        public Builder reconnect(Backoff value) {
            reconnect = value;
            return this;
        }

        public Builder maxConcurrentStreams(int value) {
            maxConcurrentStreams = value;
            return this;
        }

        public Builder streamWindowBytes(int value) {
            streamWindowBytes = value;
            return this;
        }

        public Builder handlerExecutor(Executor value) {
            handlerExecutor = value;
            return this;
        }

        /** The loops a client connects on (default: the process's shared loops). */
        public Builder eventLoops(EventLoopGroup value) {
            eventLoops = value;
            return this;
        }

        public Builder meters(MeterRegistry value) {
            meters = value;
            return this;
        }

        public TransportConfig build() {
            return new TransportConfig(
                    nodeName,
                    tls,
                    insecurePlaintext,
                    peerPolicy,
                    versions,
                    features,
                    services,
                    heartbeatInterval,
                    peerTimeout,
                    handshakeTimeout,
                    connectTimeout,
                    requestTimeout,
                    reconnect,
                    maxConcurrentStreams,
                    streamWindowBytes,
                    handlerExecutor,
                    eventLoops == null ? EventLoops.shared() : eventLoops,
                    meters);
        }
    }
}
