package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.TwoSidedBenchCommand;
import io.dpuoffload.bench.fs.DpuMounts.Target;
import io.dpuoffload.cli.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bench fs dpu-side} (hidden; {@code offload-bench fs} starts it on the DPU node): mounts the three file
 * systems in this process's mount namespace, measures every row on each, prints progress lines and then one JSON line
 * (see {@link FsBenchReport}), and unmounts everything — also when it fails or gets SIGTERM.
 */
@Command(
        name = "dpu-side",
        hidden = true,
        description =
                "For `offload-bench fs`: mount tmpfs, sshfs and offload-fs on the DPU node, measure, print one JSON line.")
final class DpuSideCommand implements Callable<Integer> {

    /** Lines {@code offload-bench fs} relays to its user as they come. */
    @Option(names = "--layout", paramLabel = "DIR", required = true, description = "The benchmark's directory.")
    Path layoutRoot;

    @Option(
            names = "--proc-pid",
            paramLabel = "PID",
            required = true,
            description = "A host process whose /proc/PID/stat is read; it must not exist on the DPU.")
    long procPid;

    @Mixin
    BenchOptions options;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        BenchLoad load = options.check(spec);
        out = spec.commandLine().getOut();
        BenchLayout layout = new BenchLayout(layoutRoot);
        Optional<String> cipher = SshSetup.cipher();
        DpuMounts mounts = new DpuMounts();
        // SIGTERM (fs bench stopping after Ctrl-C or a failure): unmount and stop sshfs and fs mount now; the
        // measurement in progress then fails on the vanished mounts and the JVM exits.
        Thread cleanup = new Thread(mounts::close, "fs-bench-unmount");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (mounts) {
            mounts.mountAll(layout, load.largestFile(), procPid, cipher);
            FsBenchReport report = FsBenchReport.empty(load).withNote("sshfs.cipher", cipher.orElse("ssh's default"));
            for (Target target : mounts.targets()) {
                report = report.withNote(
                        target.fs().key + ".proc",
                        target.procStat().isPresent()
                                ? target.procSource()
                                : "n/a: " + target.procSource() + " reads as empty or fails");
            }
            progress("mounted tmpfs, sshfs (cipher " + cipher.orElse("default") + ") and offload-fs; preparing");
            BenchRunner runner = new BenchRunner(mounts.targets(), this::progress);
            runner.prepare(load);
            progress("warming up (not measured)");
            runner.run(load.warmUp(), FsBenchReport.empty(load.warmUp()), "warm-up");
            for (int run = 1; run <= load.runs(); run++) {
                report = runner.run(load, report, "run " + run + "/" + load.runs());
            }
            out.println(report.toJson());
            out.flush();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: the mounts are gone either way
            }
        }
        return ExitCodes.OK;
    }

    private void progress(String line) {
        out.println(TwoSidedBenchCommand.PROGRESS + line);
        out.flush();
    }
}
