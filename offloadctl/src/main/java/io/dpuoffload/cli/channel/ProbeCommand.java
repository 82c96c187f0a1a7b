package io.dpuoffload.cli.channel;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offloadctl channel probe}: connects once to a host's channel, and shows what it got and how fast it is. */
@Command(
        name = "probe",
        mixinStandardHelpOptions = true,
        description = {
            "Connect once to a host's channel and measure it.",
            "",
            "Shows who answered and what both sides agreed, then times echo round",
            "trips and a stream to the host's sink. Exit code 4 when the host cannot",
            "be reached or refuses this side."
        })
public final class ProbeCommand implements Callable<Integer> {

    /** The size of one echo: a small request, like most fs and ipc calls. */
    public static final int ECHO_BYTES = 64;

    /** A warm-up longer than this is a benchmark's job (`channel bench`). */
    static final int MAX_WARM_UP_SECONDS = 60;

    /** A probe, not a soak test: at ~50 µs a round trip this is about a minute. */
    static final int MAX_REQUESTS = 1_000_000;

    /** At a few hundred MB/s this is a few minutes; longer is a benchmark (`channel bench`). */
    static final long MAX_BYTES = 64 * ByteSize.GIB;

    /** Each phase's limit; generous for the sizes above, so it only ends a stuck run. */
    static final Duration PHASE_TIMEOUT = Duration.ofMinutes(5);

    @Option(
            names = "--server",
            paramLabel = "ENDPOINT",
            required = true,
            description = "The host's channel: tcp://HOST:PORT, unix:/PATH or vsock://CID:PORT.")
    String server;

    @Mixin
    NodeOptions node;

    @Option(
            names = "--requests",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Echo round trips of " + ECHO_BYTES
                    + " bytes to time, one after another (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(
            names = "--bytes",
            paramLabel = "SIZE",
            defaultValue = "64MiB",
            description = "How much to stream to the host's sink, e.g. 65536, 64MiB, 1GiB (default: ${DEFAULT-VALUE}).")
    String bytes;

    @Option(
            names = "--warm-up",
            paramLabel = "SECONDS",
            defaultValue = "2",
            description = "Seconds of unmeasured round trips and streaming first, so that both JVMs have compiled"
                    + " their hot paths; 0 measures a cold start (default: ${DEFAULT-VALUE}).")
    int warmUpSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Endpoint endpoint = OptionValues.endpoint(spec, "--server", server);
        OptionValues.count(spec, "--requests", requests, 1, MAX_REQUESTS);
        OptionValues.count(spec, "--warm-up", warmUpSeconds, 0, MAX_WARM_UP_SECONDS);
        long size = OptionValues.size(spec, "--bytes", bytes, 1, MAX_BYTES);
        TransportConfig config = node.config(spec, endpoint, false).build();
        var out = spec.commandLine().getOut();

        try (OffloadConnection connection = Connect.once(endpoint, config)) {
            out.printf("Connected to %s at %s over %s%n", connection.peer(), endpoint, NodeOptions.security(config));
            out.printf("  this side:  node %s%n", config.nodeName());
            out.printf(
                    "  agreed:     protocol version %d, features %s%n",
                    connection.protocolVersion(), connection.features());
            out.flush();
            Connect.requireDiagnostics(connection, endpoint);

            if (warmUpSeconds > 0) {
                WarmUp.Done warmUp = WarmUp.channel(connection, Duration.ofSeconds(warmUpSeconds));
                out.printf("Warm-up: %d s, %s, not counted%n", warmUpSeconds, warmUp.describe());
                out.flush();
            }
            long[] nanos = ChannelLoad.echo(
                    connection, requests, ECHO_BYTES, Deadline.in("the echo round trips", PHASE_TIMEOUT));
            Latencies latencies = Latencies.of(nanos);
            out.printf(
                    "Echo: %d round trips of %d bytes, one after another, each answer checked%n", requests, ECHO_BYTES);
            out.printf(
                    "  %s, mean %s%n",
                    latencies.describe(),
                    Latencies.duration((long) Arrays.stream(nanos).average().orElse(0)));
            out.flush();

            Throughput stream = ChannelLoad.toSink(connection, size, Deadline.in("the stream to SINK", PHASE_TIMEOUT));
            out.printf(
                    "Stream: sent %s on one stream; the host's sink counted all %,d bytes%n",
                    ByteSize.format(size), size);
            out.printf("  %s in %s%n", stream.describe(), Latencies.duration(stream.nanos()));
            out.flush();
        }
        return ExitCodes.OK;
    }
}
