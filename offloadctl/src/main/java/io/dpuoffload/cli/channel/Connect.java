package io.dpuoffload.cli.channel;

import io.dpuoffload.transport.ConnectionLostException;
import io.dpuoffload.transport.Feature;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.TransportException;
import io.dpuoffload.transport.net.Endpoint;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One connection attempt for the client commands, with the transport's own failure rethrown (exit code 4). */
public final class Connect {

    /** Past the transport's own connect and handshake timeouts: reached only if those fail to fire. */
    private static final Duration BACKSTOP = Duration.ofSeconds(30);

    private Connect() {}

    public static OffloadConnection once(Endpoint server, TransportConfig config) throws InterruptedException {
        var attempt = OffloadClient.connectOnce(server, config);
        try {
            return attempt.get(BACKSTOP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TransportException transport) {
                throw transport;
            }
            throw new ConnectionLostException(
                    "cannot connect to " + server + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            attempt.cancel(true);
            throw new ConnectionLostException("no answer from " + server + " within " + BACKSTOP.toSeconds() + " s");
        }
    }

    /** The DIAGNOSTICS services are what the probe and bench use; a host without them cannot be measured. */
    public static void requireDiagnostics(OffloadConnection connection, Endpoint server) {
        if (!connection.offers(Feature.DIAGNOSTICS)) {
            connection.close();
            throw new IllegalStateException(connection.peer() + " at " + server + " does not offer the DIAGNOSTICS"
                    + " services (it offers " + connection.features() + "); run `offloadctl channel serve` there");
        }
    }
}
