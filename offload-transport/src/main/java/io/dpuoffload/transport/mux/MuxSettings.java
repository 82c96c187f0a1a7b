package io.dpuoffload.transport.mux;

import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.metrics.TransportMetrics;
import io.dpuoffload.transport.tls.PeerIdentity;
import java.util.concurrent.Executor;

/** What a {@link Multiplexer} is built with once the handshake has succeeded. */
public record MuxSettings(
        boolean initiator,
        PeerIdentity peer,
        int protocolVersion,
        long features,
        Services services,
        Executor handlerExecutor,
        int maxConcurrentStreams,
        int streamWindowBytes,
        TransportMetrics metrics) {}
