package io.dpuoffload.cli.channel;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.topology.Node;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl channel demo}: the channel end to end on one machine. A host and a DPU in two network namespaces,
 * the DPU probes the host over mutual TLS, an impostor is refused, and everything is removed again.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Show the channel end to end on this machine (as root), with a summary.",
            "",
            "A host and a DPU in two network namespaces joined by a veth pair,",
            "throwaway certificates, `channel serve` on the host, `channel probe` on",
            "the DPU, and an impostor with another CA's certificate, which the host",
            "refuses. Everything is removed at the end, also on failure or Ctrl-C.",
            "Takes a few seconds."
        })
final class DemoCommand implements Callable<Integer> {

    /** A demo, not a benchmark: it should finish in seconds. */
    static final int MAX_REQUESTS = 100_000;

    static final long MAX_BYTES = 4 * ByteSize.GIB;

    /** The probe's own phases are bounded; this only catches a JVM that hangs. */
    static final Duration PROBE_TIMEOUT = Duration.ofMinutes(2);

    /** The impostor fails in its TLS handshake, well within the transport's 10 s handshake timeout. */
    static final Duration IMPOSTOR_TIMEOUT = Duration.ofSeconds(30);

    /** The host logs the refusal as it happens; the impostor has ended by then. */
    static final Duration REFUSAL_LOG_TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern HOST_REFUSAL =
            Pattern.compile("refused peer " + Pattern.quote(Topology.DPU_ADDRESS) + ":");

    @Option(
            names = "--requests",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Echo round trips the probe times (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(
            names = "--bytes",
            paramLabel = "SIZE",
            defaultValue = "64MiB",
            description = "How much the probe streams to the host, e.g. 1MiB, 64MiB, 1GiB (default: ${DEFAULT-VALUE}).")
    String bytes;

    @Option(
            names = "--keep-pki",
            paramLabel = "DIR",
            description = "Write the demo's certificates to DIR (new or empty) and keep them, to try"
                    + " `channel serve` and `channel probe` by hand afterwards.")
    Path keepPki;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        OptionValues.count(spec, "--requests", requests, 1, MAX_REQUESTS);
        long size = OptionValues.size(spec, "--bytes", bytes, 1, MAX_BYTES);
        out = spec.commandLine().getOut();
        out.println("dpu-offload channel demo: a host and its DPU, simulated on this machine, talk over the channel.");
        out.flush();

        Testbed bed =
                Testbed.create(Optional.ofNullable(keepPki), spec.commandLine().getErr());
        List<String> summary = List.of();
        try {
            summary = run(bed, size);
        } finally {
            List<String> cleanup;
            try {
                cleanup = bed.tearDown();
            } catch (RuntimeException e) {
                cleanup = List.of(e.getMessage());
            }
            summary.forEach(out::println);
            out.println("Cleaned up: " + String.join("; ", cleanup) + ".");
            out.flush();
        }
        return ExitCodes.OK;
    }

    /** The five steps; returns the closing summary lines. Throws when a step does not go as the demo expects. */
    private List<String> run(Testbed bed, long size) {
        Node host = bed.topology().host();
        Node dpu = bed.topology().dpu();

        step(1, "Certificates, throwaway, in " + bed.pki().directory());
        detail("CA '" + DemoPki.CA_NAME + "' issued " + DemoPki.HOST + " and " + DemoPki.DPU + " (pair " + DemoPki.PAIR
                + ").");
        detail("An impostor made its own CA and a certificate that also says " + DemoPki.DPU + "; it trusts the real");
        detail("ca.crt (that is public) and presents its own certificate anyway.");

        step(2, "Network: two namespaces joined by a veth pair; nothing added to this machine's own network");
        detail(String.format("host  netns %-22s %s", host.namespace(), host.address()));
        detail(String.format("dpu   netns %-22s %s", dpu.namespace(), dpu.address()));

        NodeProcess serve = bed.serve();
        step(
                3,
                "On the host: `offloadctl channel serve` as " + DemoPki.HOST + ", pid " + serve.pid()
                        + ", accepting only " + DemoPki.DPU);
        detail(firstLine(serve.stdout(), ServeCommand.READY));

        NodeProcess probe = probe(bed, size, serve);
        NodeProcess impostor = impostor(bed, serve);

        long servePid = serve.pid();
        serve.stop();
        detail("host stopped with SIGTERM: "
                + firstLine(serve.stdout(), "Stopped").strip());
        out.println();

        String where = "  %-7s %-25s %-13s %s";
        return List.of(
                "In short",
                String.format(
                        where,
                        DemoPki.HOST,
                        "netns " + host.namespace(),
                        host.address(),
                        "channel serve, pid " + servePid + ": accepted " + DemoPki.DPU + ", refused the impostor"),
                String.format(
                        where,
                        DemoPki.DPU,
                        "netns " + dpu.namespace(),
                        dpu.address(),
                        "channel probe, pid " + probe.pid() + ": reached node " + DemoPki.HOST
                                + " over mutual TLS 1.3"),
                String.format(
                        where,
                        "",
                        "",
                        "",
                        "impostor, pid " + impostor.pid() + ": refused by the host (exit code "
                                + ExitCodes.PEER_UNAVAILABLE + ")"),
                "  round trips  " + requests + " x " + ProbeCommand.ECHO_BYTES + " B: "
                        + lineAfter(probe.stdout(), "Echo:"),
                "  stream       " + ByteSize.format(size) + " to the host's sink: "
                        + lineAfter(probe.stdout(), "Stream:"));
    }

    /** Step 4: {@code channel probe} on the DPU, which must succeed. */
    private NodeProcess probe(Testbed bed, long size, NodeProcess serve) {
        List<String> args = new ArrayList<>(List.of("channel", "probe", "--server", Testbed.channelEndpoint()));
        args.addAll(bed.dpuIdentity());
        args.addAll(List.of("--requests", Integer.toString(requests), "--bytes", Long.toString(size)));
        NodeProcess probe = bed.offloadctl(bed.topology().dpu(), args);
        int exit = probe.waitFor(PROBE_TIMEOUT);
        step(
                4,
                "On the DPU: `offloadctl channel probe` as " + DemoPki.DPU + ", pid " + probe.pid() + ", exit code "
                        + exit);
        indent(probe.stdout());
        if (exit != ExitCodes.OK) {
            indent(errors(probe.stderr()));
            throw new IllegalStateException("the probe failed with exit code " + exit + "; its output is above, the"
                    + " host's log:\n" + serve.stderr());
        }
        return probe;
    }

    /** Step 5: the impostor on the DPU, which the host must refuse, saying so in its log. */
    private NodeProcess impostor(Testbed bed, NodeProcess serve) {
        DemoPki pki = bed.pki();
        NodeProcess impostor = bed.offloadctl(
                bed.topology().dpu(),
                List.of(
                        "channel", "impostor",
                        "--server", Testbed.channelEndpoint(),
                        "--trust", pki.caCertificate().toString(),
                        "--certificate", pki.impostorCertificate().toString(),
                        "--key", pki.impostorKey().toString()));
        int exit = impostor.waitFor(IMPOSTOR_TIMEOUT);
        step(
                5,
                "On the DPU: the impostor connects with its own CA's certificate, pid " + impostor.pid()
                        + ", exit code " + exit);
        detail("impostor: " + errors(impostor.stderr()).strip());
        if (exit != ExitCodes.PEER_UNAVAILABLE) {
            throw new IllegalStateException("the impostor was not refused (exit code " + exit + ", expected "
                    + ExitCodes.PEER_UNAVAILABLE + "); its output:\n" + impostor.stderr());
        }
        detail("host:     " + serve.awaitLine(HOST_REFUSAL, REFUSAL_LOG_TIMEOUT));
        return impostor;
    }

    private void step(int number, String text) {
        out.printf("%n[%d/5] %s%n", number, text);
        out.flush();
    }

    private void detail(String text) {
        out.println("      " + text);
        out.flush();
    }

    private void indent(String text) {
        text.lines().forEach(line -> out.println("      | " + line));
        out.flush();
    }

    /** offloadctl's own error lines, without the log lines around them. */
    private static String errors(String stderr) {
        List<String> lines =
                stderr.lines().filter(line -> line.startsWith("offloadctl:")).toList();
        return lines.isEmpty() ? stderr : String.join("\n", lines);
    }

    /** The probe's numbers: the line after its "Echo:" or "Stream:" heading. */
    private static String lineAfter(String text, String heading) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).startsWith(heading)) {
                return lines.get(i + 1).strip();
            }
        }
        return "(the probe printed no " + heading + " line)";
    }

    private static String firstLine(String text, String prefix) {
        return text.lines()
                .filter(line -> line.startsWith(prefix))
                .findFirst()
                .orElse("(no line starting " + prefix + ")");
    }
}
