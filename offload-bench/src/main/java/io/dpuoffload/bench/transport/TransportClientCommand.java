package io.dpuoffload.bench.transport;

import io.dpuoffload.bench.transport.BenchReport.Metric;
import io.dpuoffload.bench.transport.BenchReport.Side;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.channel.BaselineClient;
import io.dpuoffload.cli.channel.ChannelLoad;
import io.dpuoffload.cli.channel.Connect;
import io.dpuoffload.cli.channel.Deadline;
import io.dpuoffload.cli.channel.Latencies;
import io.dpuoffload.cli.channel.NodeOptions;
import io.dpuoffload.cli.channel.OptionValues;
import io.dpuoffload.cli.channel.ProbeCommand;
import io.dpuoffload.cli.channel.Throughput;
import io.dpuoffload.cli.channel.WarmUp;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.net.Endpoint;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bench transport client} (hidden; {@code offload-bench transport} starts it on the DPU node): measures the
 * channel against the plain TCP baseline of the same host and prints one JSON line (see {@link BenchReport}).
 */
@Command(
        name = "client",
        hidden = true,
        description =
                "For `offload-bench transport`: measure the channel and the plain TCP baseline; print one JSON line.")
final class TransportClientCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(TransportClientCommand.class);

    /** Enough for the JIT to compile the channel's hot paths (TLS above all) on both sides; not counted. */
    static final Duration CHANNEL_WARM_UP = Duration.ofSeconds(6);

    /** Plain sockets have far less code to compile. */
    static final Duration TCP_WARM_UP = Duration.ofSeconds(2);

    /** One measurement's limit: 16 GiB at 200 MB/s takes 90 s. Only a stuck run reaches it. */
    static final Duration PHASE_TIMEOUT = Duration.ofMinutes(2);

    @Option(names = "--server", paramLabel = "ENDPOINT", required = true, description = "The host's channel (tcp://).")
    String server;

    @Option(
            names = "--baseline-port",
            paramLabel = "PORT",
            required = true,
            description = "The port of the host's plain TCP baseline, on the same address.")
    int baselinePort;

    @Mixin
    NodeOptions node;

    @Mixin
    LoadOptions loadOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LoadOptions.Load load = loadOptions.check(spec);
        if (!(OptionValues.endpoint(spec, "--server", server) instanceof Endpoint.Tcp channel)) {
            throw new ParameterException(spec.commandLine(), "--server must be a tcp:// endpoint: the baseline is TCP");
        }
        OptionValues.count(spec, "--baseline-port", baselinePort, 1, Endpoint.MAX_PORT);
        var baseline = new InetSocketAddress(channel.host(), baselinePort);

        try (OffloadConnection connection =
                Connect.once(channel, node.config(spec, channel, false).build())) {
            Connect.requireDiagnostics(connection, channel);
            log.info("connected to {}; warming up", connection.peer());
            warmUp(connection, baseline);

            BenchReport report = BenchReport.empty(load.bytes(), load.requests(), load.streams());
            for (int run = 1; run <= load.runs(); run++) {
                report = measure(connection, baseline, load, run, report);
            }
            var out = spec.commandLine().getOut();
            out.println(report.toJson());
            out.flush();
        }
        return ExitCodes.OK;
    }

    private static void warmUp(OffloadConnection connection, InetSocketAddress baseline) throws Exception {
        log.info(
                "channel warm-up: {}",
                WarmUp.channel(connection, CHANNEL_WARM_UP).describe());
        log.info("TCP warm-up: {}", WarmUp.tcp(baseline, TCP_WARM_UP).describe());
    }

    private static BenchReport measure(
            OffloadConnection connection,
            InetSocketAddress baseline,
            LoadOptions.Load load,
            int run,
            BenchReport report)
            throws Exception {
        String prefix = "run " + run + ": ";
        Throughput ours = ChannelLoad.toSink(connection, load.bytes(), phase(prefix + "one stream on the channel"));
        Throughput plain = BaselineClient.toSink(baseline, load.bytes(), phase(prefix + "one TCP connection"));
        log.info("{}one stream: channel {}, TCP {}", prefix, ours.describe(), plain.describe());
        report = report.with(Side.CHANNEL, Metric.STREAM, ours.megabytesPerSecond())
                .with(Side.TCP, Metric.STREAM, plain.megabytesPerSecond());

        if (load.streams() > 1) {
            Throughput oursParallel = ChannelLoad.toSinkInParallel(
                    connection,
                    load.bytes(),
                    load.streams(),
                    phase(prefix + load.streams() + " streams on the channel"));
            Throughput plainParallel = BaselineClient.toSinkInParallel(
                    baseline, load.bytes(), load.streams(), phase(prefix + load.streams() + " TCP connections"));
            log.info(
                    "{}{} in parallel: channel {}, TCP {}",
                    prefix,
                    load.streams(),
                    oursParallel.describe(),
                    plainParallel.describe());
            report = report.with(Side.CHANNEL, Metric.PARALLEL, oursParallel.megabytesPerSecond())
                    .with(Side.TCP, Metric.PARALLEL, plainParallel.megabytesPerSecond());
        }

        Latencies oursEcho = Latencies.of(ChannelLoad.echo(
                connection, load.requests(), ProbeCommand.ECHO_BYTES, phase(prefix + "echo on the channel")));
        Latencies plainEcho = Latencies.of(
                BaselineClient.echo(baseline, load.requests(), ProbeCommand.ECHO_BYTES, phase(prefix + "echo on TCP")));
        log.info("{}echo: channel {}; TCP {}", prefix, oursEcho.describe(), plainEcho.describe());
        return report.with(Side.CHANNEL, Metric.ECHO_P50, oursEcho.p50Micros())
                .with(Side.TCP, Metric.ECHO_P50, plainEcho.p50Micros())
                .with(Side.CHANNEL, Metric.ECHO_P99, oursEcho.p99Micros())
                .with(Side.TCP, Metric.ECHO_P99, plainEcho.p99Micros());
    }

    private static Deadline phase(String name) {
        return Deadline.in(name, PHASE_TIMEOUT);
    }
}
