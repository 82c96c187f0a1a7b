package io.dpuoffload.transport.tls;

import io.netty.handler.ssl.SslContext;
import java.util.Objects;

/**
 * Where each new connection gets its TLS context: one fixed context, or one that follows the
 * certificate files ({@link ReloadingTlsContext}). Connections keep the context they started with;
 * only new ones see a change.
 */
@FunctionalInterface
public interface TlsContextSource {

    /** The context for a connection being set up now. Called on event loops, so it never blocks. */
    SslContext current();

    /** Always {@code context}. */
    static TlsContextSource fixed(SslContext context) {
        Objects.requireNonNull(context, "context");
        return () -> context;
    }
}
