package io.dpuoffload.cli.channel;

import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.pki.TlsFiles;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.ReloadingTlsContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The channel security that every service's YAML describes the same way (fs, ipc, exec): mutual
 * TLS from the node's PKI directory (renewed certificates used by new connections, without a
 * restart), left out only on a local Unix endpoint that has no PKI
 * directory (tests, one-machine trials), and, when peers are named, only those nodes accepted.
 */
public final class ConfiguredChannel {
    private ConfiguredChannel() {}

    /** Applies the security to {@code transport}; {@code serving} picks the server or client side of TLS. */
    public static TransportConfig.Builder secure(
            TransportConfig.Builder transport,
            Endpoint endpoint,
            String node,
            Path pki,
            Set<String> peers,
            boolean serving) {
        if (!(endpoint instanceof Endpoint.Unix) || Files.isDirectory(pki)) {
            // Checked now (a bad file is exit code 3); renewed files are then picked up by new connections.
            var files = TlsFiles.inDirectory(pki, node);
            transport.tlsSource(serving ? ReloadingTlsContext.forServer(files) : ReloadingTlsContext.forClient(files));
        }
        if (!peers.isEmpty()) {
            transport.peerPolicy(peer -> peer.isNode() && peers.contains(peer.name()));
        }
        return transport;
    }

    /** {@code --server}'s endpoint; a malformed one is a usage error naming the option. */
    public static Endpoint serverEndpoint(picocli.CommandLine.Model.CommandSpec spec, String server) {
        try {
            return Endpoint.parse(server);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--server: " + e.getMessage());
        }
    }

    /** A service's configuration from {@code file}; what is wrong with it is bad input, named. */
    public static <C> C load(java.nio.file.Path file, java.util.function.Function<java.nio.file.Path, C> loader) {
        try {
            return loader.apply(file);
        } catch (ConfigException e) {
            throw new io.dpuoffload.cli.BadInputException(e.getMessage());
        }
    }

    /** The endpoint a serving side's {@code listen:} names; a ConfigException with an example when it is missing. */
    public static Endpoint listenEndpoint(String listen, String example) {
        if (listen == null) {
            throw new ConfigException("listen: missing; the serving side needs e.g. listen: " + example);
        }
        return Endpoint.parse(listen);
    }

    /** What a serving side does once it listens, before it says READY (e.g. create its forwards' sockets). */
    public interface Started {
        void run() throws Exception;
    }

    /**
     * Serves {@code transport} on {@code endpoint} until {@code stop} is requested (SIGTERM, Ctrl-C):
     * once listening, runs {@code started} and prints {@code READY <endpoint>}, which tests and
     * scripts wait for.
     */
    public static void serveUntil(
            StopSignal stop,
            CommandSpec spec,
            Endpoint endpoint,
            TransportConfig transport,
            Consumer<OffloadConnection> connected,
            Started started)
            throws Exception {
        try (OffloadServer server = OffloadServer.start(endpoint, transport, connected)) {
            started.run();
            spec.commandLine().getOut().println("READY " + server.boundEndpoint());
            spec.commandLine().getOut().flush();
            stop.await();
        }
    }
}
