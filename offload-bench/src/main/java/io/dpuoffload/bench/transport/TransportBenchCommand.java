package io.dpuoffload.bench.transport;

import io.dpuoffload.bench.OffloadBench;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.MachineInfo;
import io.dpuoffload.cli.channel.ByteSize;
import io.dpuoffload.cli.channel.DemoPki;
import io.dpuoffload.cli.channel.Testbed;
import io.dpuoffload.topology.NodeProcess;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bench transport}: the channel against what a user would otherwise use, plain TCP, between a host and
 * a DPU node in two network namespaces. See docs/benchmarks.md.
 */
@Command(
        name = "transport",
        mixinStandardHelpOptions = true,
        subcommands = TransportClientCommand.class,
        synopsisSubcommandLabel = "",
        description = {
            "Measure the channel against plain TCP on this machine (as root).",
            "",
            "A host and a DPU node in two network namespaces joined by a veth pair.",
            "The DPU streams to the host and times 64-byte echo round trips, over our",
            "mutual-TLS channel and over a plain socket (no TLS, no framing), after a",
            "warm-up. Prints both and their ratio; with the defaults it takes about a",
            "minute. See docs/benchmarks.md."
        })
public final class TransportBenchCommand implements Callable<Integer> {

    /** The client bounds each measurement itself (2 min); this only ends a client that hangs outright. */
    static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(10);

    @Mixin
    LoadOptions loadOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LoadOptions.Load load = loadOptions.check(spec);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Transport benchmark: %s (dpu, %s) streams to and pings %s (host, %s) across a veth pair.%n",
                DemoPki.DPU,
                io.dpuoffload.topology.Topology.DPU_ADDRESS,
                DemoPki.HOST,
                io.dpuoffload.topology.Topology.HOST_ADDRESS);
        out.printf(
                "Measuring %s per stream and %d round trips, %d run(s); this takes a minute or two...%n",
                ByteSize.format(load.bytes()), load.requests(), load.runs());
        out.flush();

        Testbed bed = Testbed.create(Optional.empty(), spec.commandLine().getErr());
        try {
            BenchReport report = run(bed, load);
            out.println();
            BenchTable.render(report, load.runs(), MachineInfo.current()).forEach(out::println);
            out.println();
            out.println("Raw: " + report.toJson());
        } finally {
            List<String> cleanup;
            try {
                cleanup = bed.tearDown();
            } catch (RuntimeException e) {
                cleanup = List.of(e.getMessage());
            }
            out.println("Cleaned up: " + String.join("; ", cleanup) + ".");
            out.flush();
        }
        return ExitCodes.OK;
    }

    private static BenchReport run(Testbed bed, LoadOptions.Load load) {
        NodeProcess serve = bed.serve("--baseline-port", Integer.toString(Testbed.BASELINE_PORT));
        List<String> args = new ArrayList<>(List.of(
                "transport", "client",
                "--server", Testbed.channelEndpoint(),
                "--baseline-port", Integer.toString(Testbed.BASELINE_PORT)));
        args.addAll(bed.dpuIdentity());
        args.addAll(load.toArgs());
        NodeProcess client = bed.startJava(bed.topology().dpu(), OffloadBench.class.getName(), args);
        int exit = client.waitFor(CLIENT_TIMEOUT);
        if (exit != ExitCodes.OK) {
            throw new IllegalStateException("the benchmark client on the DPU failed with exit code " + exit + ":\n"
                    + client.stderr() + "the host's log:\n" + serve.stderr());
        }
        return client.stdout()
                .lines()
                .filter(line -> line.startsWith("{"))
                .reduce((first, second) -> second)
                .map(BenchReport::fromJson)
                .orElseThrow(
                        () -> new IllegalStateException("the benchmark client printed no result line; its output:\n"
                                + client.stdout() + client.stderr()));
    }
}
