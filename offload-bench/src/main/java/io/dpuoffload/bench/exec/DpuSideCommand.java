package io.dpuoffload.bench.exec;

import io.dpuoffload.bench.ChildProcess;
import io.dpuoffload.bench.fs.BenchTools;
import io.dpuoffload.bench.fs.SshSetup;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.channel.ByteSize;
import io.dpuoffload.topology.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bench exec dpu-side} (hidden; started by {@code offload-bench exec} on the DPU node):
 * starts the exec gateway and an ssh ControlMaster, times each way of running a host program, and
 * prints the table. Runs are interleaved (local, rexec, multiplexed ssh, local, ...), so a change in
 * the machine's load touches all of them alike.
 */
@Command(name = "dpu-side", hidden = true, description = "For `offload-bench exec`: measure from the DPU node.")
final class DpuSideCommand implements Callable<Integer> {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final int WARM_UP_RUNS = 20;
    private static final int THROUGHPUT_RUNS = 3;

    @Option(names = "--layout", paramLabel = "DIR", required = true)
    Path root;

    @Option(names = "--runs", paramLabel = "N", required = true)
    int runs;

    @Option(names = "--ssh-runs", paramLabel = "N", required = true)
    int sshRuns;

    @Option(names = "--size", paramLabel = "SIZE", required = true)
    String size;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ExecBenchLayout layout = new ExecBenchLayout(root);
        long bytes = ByteSize.parse("--size", size);
        List<String> ssh = sshCommand(layout);
        try (ChildProcess gateway = ChildProcess.offloadctl(
                        "exec gateway",
                        List.of(
                                "exec",
                                "gateway",
                                "--server",
                                ExecBenchLayout.endpoint(),
                                "--config",
                                layout.dpuConfig().toString(),
                                "--socket",
                                layout.gatewaySocket().toString()),
                        Map.of());
                ChildProcess master = ChildProcess.start(
                        "ssh ControlMaster",
                        withArgs(ssh, "-M", "-N", SshSetup.USER + "@" + Topology.HOST_ADDRESS),
                        Map.of())) {
            gateway.awaitLine(Pattern.compile("^READY "), START_TIMEOUT);
            awaitMaster(ssh, master);
            Map<String, String> env =
                    Map.of("DPUO_EXEC_SOCKET", layout.gatewaySocket().toString());
            String rexec = layout.rexec().toString();
            String host = SshSetup.USER + "@" + Topology.HOST_ADDRESS;
            Map<String, Runner> starts = new LinkedHashMap<>();
            starts.put("local", new Runner(List.of("/bin/true"), Map.of()));
            starts.put("rexec", new Runner(List.of(rexec, "/bin/true"), env));
            starts.put("ssh, ControlMaster", new Runner(withArgs(ssh, "-n", host, "/bin/true"), Map.of()));
            Map<String, Samples> times = interleaved(starts, runs);
            times.put(
                    "ssh, plain",
                    interleaved(
                                    Map.of(
                                            "ssh, plain",
                                            new Runner(
                                                    withArgs(sshWithoutMaster(ssh), "-n", host, "/bin/true"),
                                                    Map.of())),
                                    sshRuns)
                            .get("ssh, plain"));

            String head = "/usr/bin/head -c " + bytes + " /dev/zero";
            Map<String, Double> throughput = new LinkedHashMap<>();
            throughput.put(
                    "local",
                    megabytesPerSecond(
                            new Runner(List.of("/usr/bin/head", "-c", Long.toString(bytes), "/dev/zero"), Map.of()),
                            bytes));
            throughput.put(
                    "rexec",
                    megabytesPerSecond(
                            new Runner(List.of(rexec, "/usr/bin/head", "-c", Long.toString(bytes), "/dev/zero"), env),
                            bytes));
            throughput.put(
                    "ssh, ControlMaster",
                    megabytesPerSecond(new Runner(withArgs(ssh, "-n", host, head), Map.of()), bytes));
            ExecBenchTable.render(times, throughput, size, SshSetup.cipher().orElse("ssh's default cipher"))
                    .forEach(spec.commandLine().getOut()::println);
            spec.commandLine().getOut().flush();
            master.stop(STOP_GRACE);
            gateway.stop(STOP_GRACE);
        }
        return ExitCodes.OK;
    }

    /** ssh as a user would script it: key only, no prompts, the fast AEAD cipher, a control socket. */
    private static List<String> sshCommand(ExecBenchLayout layout) {
        List<String> command = new ArrayList<>(List.of(
                BenchTools.SSH.path(),
                "-F",
                "/dev/null",
                "-p",
                Integer.toString(SshSetup.PORT),
                "-i",
                SshSetup.clientKey(layout.ssh()).toString(),
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "BatchMode=yes",
                "-o",
                "LogLevel=ERROR",
                "-o",
                "ControlPath=" + layout.sshControl()));
        SshSetup.cipher().ifPresent(c -> command.addAll(List.of("-o", "Ciphers=" + c)));
        return command;
    }

    private static List<String> sshWithoutMaster(List<String> ssh) {
        List<String> plain = new ArrayList<>(ssh);
        int control = plain.indexOf(plain.stream()
                .filter(a -> a.startsWith("ControlPath="))
                .findFirst()
                .orElseThrow());
        plain.set(control, "ControlPath=none");
        return plain;
    }

    private static List<String> withArgs(List<String> command, String... args) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(args));
        return all;
    }

    private static void awaitMaster(List<String> ssh, ChildProcess master) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String host = SshSetup.USER + "@" + Topology.HOST_ADDRESS;
        while (new Runner(withArgs(ssh, "-O", "check", host), Map.of()).runQuietly() != 0) {
            if (!master.isAlive()) {
                throw new IllegalStateException("the ssh ControlMaster ended: " + master.tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the ssh ControlMaster did not come up within " + START_TIMEOUT);
            }
            Thread.sleep(100);
        }
    }

    private static Map<String, Samples> interleaved(Map<String, Runner> starts, int count)
            throws IOException, InterruptedException {
        Map<String, Samples> samples = new LinkedHashMap<>();
        starts.keySet().forEach(name -> samples.put(name, new Samples(count)));
        for (int i = -Math.min(WARM_UP_RUNS, count); i < count; i++) {
            for (var start : starts.entrySet()) {
                long began = System.nanoTime();
                int exit = start.getValue().run();
                long took = System.nanoTime() - began;
                if (exit != 0) {
                    throw new IllegalStateException(
                            start.getKey() + " exited " + exit + ": " + start.getValue().command);
                }
                if (i >= 0) {
                    samples.get(start.getKey()).add(took);
                }
            }
        }
        return samples;
    }

    private static double megabytesPerSecond(Runner runner, long bytes) throws IOException, InterruptedException {
        double[] rates = new double[THROUGHPUT_RUNS];
        for (int i = 0; i < THROUGHPUT_RUNS; i++) {
            long began = System.nanoTime();
            long got = runner.count();
            long took = System.nanoTime() - began;
            if (got != bytes) {
                throw new IllegalStateException(runner.command + " gave " + got + " bytes, not " + bytes);
            }
            rates[i] = bytes / 1e6 / (took / 1e9);
        }
        java.util.Arrays.sort(rates);
        return rates[THROUGHPUT_RUNS / 2];
    }

    /** One way of running a program: stdin from /dev/null, stdout discarded or counted. */
    private record Runner(List<String> command, Map<String, String> environment) {
        private ProcessBuilder builder() {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(environment);
            return builder;
        }

        int run() throws IOException, InterruptedException {
            return builder()
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start()
                    .waitFor();
        }

        int runQuietly() throws IOException, InterruptedException {
            return builder()
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
        }

        long count() throws IOException, InterruptedException {
            Process process =
                    builder().redirectError(ProcessBuilder.Redirect.INHERIT).start();
            long total = 0;
            byte[] buffer = new byte[1 << 20];
            try (InputStream in = process.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    total += n;
                }
            }
            if (process.waitFor() != 0) {
                throw new IllegalStateException(command + " exited " + process.exitValue());
            }
            return total;
        }
    }

    /** Durations of one way, in nanoseconds. */
    static final class Samples {
        private final long[] values;
        private int size;

        Samples(int capacity) {
            values = new long[capacity];
        }

        void add(long nanos) {
            values[size++] = nanos;
        }

        double percentileMillis(double p) {
            long[] sorted = java.util.Arrays.copyOf(values, size);
            java.util.Arrays.sort(sorted);
            return sorted[(int) Math.min(size - 1, Math.floor(p * size))] / 1e6;
        }
    }
}
