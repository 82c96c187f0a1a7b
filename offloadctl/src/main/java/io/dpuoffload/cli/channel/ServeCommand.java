package io.dpuoffload.cli.channel;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.diagnostics.Diagnostics;
import io.dpuoffload.transport.net.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code offloadctl channel serve}: the host side of the channel, offering the DIAGNOSTICS services. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Listen for the DPU's channel and answer its DIAGNOSTICS requests.",
            "",
            "Prints 'READY <endpoint>' on stdout once listening and logs each peer,",
            "accepted or refused, on stderr. On SIGTERM or Ctrl-C it closes every",
            "connection and prints a summary."
        })
final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    /** What tools that start this command wait for on stdout, followed by the bound endpoint. */
    static final String READY = "READY";

    /**
     * How long SIGTERM/SIGINT hold the JVM for the clean close and the summary: OffloadServer.close waits up to 2 s
     * per connection. The JVM then exits with 128 + the signal's number.
     */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);

    @Option(
            names = "--listen",
            paramLabel = "ENDPOINT",
            required = true,
            description =
                    "Where to listen: tcp://ADDRESS:PORT (port 0 picks a free one), unix:/PATH or vsock://CID:PORT.")
    String listen;

    @Mixin
    NodeOptions node;

    @Option(
            names = "--baseline-port",
            paramLabel = "PORT",
            description =
                    "Also run the benchmark's plain TCP baseline (no TLS, no framing: an echo and a sink) on"
                            + " this port of the --listen address. For `offloadctl channel bench` only: it authenticates nobody.")
    Integer baselinePort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Endpoint endpoint = OptionValues.endpoint(spec, "--listen", listen);
        Optional<InetSocketAddress> baselineAddress = baselineAddress(endpoint);
        MeterRegistry meters = new SimpleMeterRegistry();
        TransportConfig config = node.config(spec, endpoint, true)
                .services(Diagnostics.services())
                .meters(meters)
                .build();

        AtomicInteger peers = new AtomicInteger();
        StopSignal stop = new StopSignal(SHUTDOWN_WAIT);
        long started = System.nanoTime();
        try (OffloadServer server = OffloadServer.start(endpoint, config, connection -> onPeer(connection, peers));
                BaselineServer baseline =
                        baselineAddress.isPresent() ? BaselineServer.start(baselineAddress.get()) : null) {
            var out = spec.commandLine().getOut();
            out.println(READY + " " + server.boundEndpoint());
            out.flush();
            stop.await();
            log.info(
                    "{}: stopping; closing {} connection(s)",
                    config.nodeName(),
                    server.connections().size());
            server.close();
            printSummary(config.nodeName(), System.nanoTime() - started, peers.get(), meters, baseline);
        } finally {
            stop.done();
        }
        return ExitCodes.OK;
    }

    private Optional<InetSocketAddress> baselineAddress(Endpoint endpoint) {
        if (baselinePort == null) {
            return Optional.empty();
        }
        OptionValues.count(spec, "--baseline-port", baselinePort, 1, Endpoint.MAX_PORT);
        if (!(endpoint instanceof Endpoint.Tcp tcp)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--baseline-port needs a tcp:// --listen endpoint, not " + endpoint
                            + ": the baseline is plain TCP on the same address");
        }
        if (tcp.port() == baselinePort) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--baseline-port " + baselinePort + " is the channel's own port; choose another");
        }
        return Optional.of(new InetSocketAddress(tcp.host(), baselinePort));
    }

    private static void onPeer(OffloadConnection connection, AtomicInteger peers) {
        peers.incrementAndGet();
        long since = System.nanoTime();
        connection
                .closeFuture()
                .whenComplete((reason, failure) -> log.info(
                        "{}{} left after {}: {}",
                        connection.peer(),
                        address(connection),
                        Latencies.duration(System.nanoTime() - since),
                        failure != null ? failure.getMessage() : reason));
    }

    /** " at /198.51.100.2:41234", or nothing for a Unix socket peer, whose address is empty. */
    private static String address(OffloadConnection connection) {
        String address = String.valueOf(connection.remoteAddress());
        return address.isBlank() || address.equals("null") ? "" : " at " + address;
    }

    private void printSummary(String nodeName, long nanos, int peers, MeterRegistry meters, BaselineServer baseline) {
        var out = spec.commandLine().getOut();
        out.printf(
                "Stopped %s after %s: %d peer connection(s), %d refused; received %s, sent %s%n",
                nodeName,
                Latencies.duration(nanos),
                peers,
                (long) count(meters, "dpuoffload.transport.peers.refused", null),
                ByteSize.format((long) count(meters, "dpuoffload.transport.bytes", "in")),
                ByteSize.format((long) count(meters, "dpuoffload.transport.bytes", "out")));
        if (baseline != null) {
            out.printf(
                    "Plain TCP baseline: %d connection(s), received %s%n",
                    baseline.connections(), ByteSize.format(baseline.bytesReceived()));
        }
        out.flush();
    }

    private static double count(MeterRegistry meters, String name, String direction) {
        var search = meters.find(name).tag("role", "server");
        if (direction != null) {
            search = search.tag("direction", direction);
        }
        Counter counter = search.counter();
        return counter == null ? 0 : counter.count();
    }
}
