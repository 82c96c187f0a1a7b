package io.dpuoffload.transport.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The channel's meters. One instance per server or client; {@code role} ("server"/"client") and
 * {@code name} (the local node) tell them apart in a shared registry.
 */
public final class TransportMetrics {
    /**
     * One count per registry, role and node, shared by the instances that have them alike (a DPU
     * agent runs a client per share, all as its node): a registry keeps the first gauge of a name
     * and tags and ignores the rest, so separate counts would go unreported.
     */
    private static final java.util.Map<java.util.List<Object>, AtomicInteger> ACTIVE =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final AtomicInteger activeConnections;
    private final Counter connectionsOpened;
    private final Counter reconnects;
    private final Counter framesIn;
    private final Counter framesOut;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter protocolErrors;
    private final Counter refusedPeers;
    private final Timer requestLatency;
    private final Counter noticesOut;
    private final Counter noticesIn;
    private final Counter requestsServed;
    /**
     * What this side served for its peers, counted here whatever the registry: the global one the
     * configuration defaults to keeps no-op meters until a registry is added to it, and the agents'
     * status reports it.
     */
    private final java.util.concurrent.atomic.LongAdder served = new java.util.concurrent.atomic.LongAdder();

    public TransportMetrics(MeterRegistry registry, String role, String name) {
        String[] tags = {"role", role, "node", name};
        activeConnections = ACTIVE.computeIfAbsent(java.util.List.of(registry, role, name), key -> {
            AtomicInteger count = new AtomicInteger();
            registry.gauge(
                    "dpuoffload.transport.connections.active", io.micrometer.core.instrument.Tags.of(tags), count);
            return count;
        });
        connectionsOpened = registry.counter("dpuoffload.transport.connections.opened", tags);
        reconnects = registry.counter("dpuoffload.transport.reconnects", tags);
        framesIn = Counter.builder("dpuoffload.transport.frames")
                .tags(tags)
                .tag("direction", "in")
                .register(registry);
        framesOut = Counter.builder("dpuoffload.transport.frames")
                .tags(tags)
                .tag("direction", "out")
                .register(registry);
        bytesIn = Counter.builder("dpuoffload.transport.bytes")
                .baseUnit("bytes")
                .tags(tags)
                .tag("direction", "in")
                .register(registry);
        bytesOut = Counter.builder("dpuoffload.transport.bytes")
                .baseUnit("bytes")
                .tags(tags)
                .tag("direction", "out")
                .register(registry);
        protocolErrors = registry.counter("dpuoffload.transport.protocol.errors", tags);
        refusedPeers = registry.counter("dpuoffload.transport.peers.refused", tags);
        noticesOut = Counter.builder("dpuoffload.transport.notices")
                .description(
                        "notices (messages that want no answer) sent and served; requests are the latency timer's count")
                .tags(tags)
                .tag("direction", "out")
                .register(registry);
        noticesIn = Counter.builder("dpuoffload.transport.notices")
                .description(
                        "notices (messages that want no answer) sent and served; requests are the latency timer's count")
                .tags(tags)
                .tag("direction", "in")
                .register(registry);
        requestsServed = Counter.builder("dpuoffload.transport.requests.served")
                .description(
                        "requests from the peer handed to their service's handler (sent ones: the latency timer's count)")
                .tags(tags)
                .register(registry);
        requestLatency = Timer.builder("dpuoffload.transport.request.latency")
                .description("round trip of requests this side sent, until the answer arrived")
                .tags(tags)
                .publishPercentileHistogram()
                .publishPercentiles(0.5, 0.99)
                .minimumExpectedValue(Duration.ofMillis(1).dividedBy(100))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    public void connectionOpened() {
        connectionsOpened.increment();
        activeConnections.incrementAndGet();
    }

    public void connectionClosed() {
        activeConnections.decrementAndGet();
    }

    public void reconnect() {
        reconnects.increment();
    }

    public void frameIn(long bytes) {
        framesIn.increment();
        bytesIn.increment(bytes);
    }

    public void frameOut(long bytes) {
        framesOut.increment();
        bytesOut.increment(bytes);
    }

    public void protocolError() {
        protocolErrors.increment();
    }

    public void peerRefused() {
        refusedPeers.increment();
    }

    public void requestCompleted(long nanos) {
        requestLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** A notice written to the peer (one sent as a request to an older peer counts as a request). */
    public void noticeSent() {
        noticesOut.increment();
    }

    /** A notice from the peer handed to its service's handler. */
    public void noticeReceived() {
        noticesIn.increment();
        served.increment();
    }

    /** A request from the peer handed to its service's handler. */
    public void requestServed() {
        requestsServed.increment();
        served.increment();
    }

    /** Requests and notices from the peers served since this side started: the work it did for them. */
    public long servedForPeers() {
        return served.sum();
    }

    public int activeConnections() {
        return activeConnections.get();
    }

    public Timer requestLatency() {
        return requestLatency;
    }
}
