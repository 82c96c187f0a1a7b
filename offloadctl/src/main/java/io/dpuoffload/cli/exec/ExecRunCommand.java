package io.dpuoffload.cli.exec;

import io.dpuoffload.cli.channel.ConfiguredChannel;
import io.dpuoffload.exec.client.RemoteRun;
import io.dpuoffload.exec.config.ExecConfig;
import io.dpuoffload.linux.ProcessExits;
import io.dpuoffload.linux.Signals;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.TransportException;
import io.dpuoffload.transport.net.Endpoint;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl exec run --server ENDPOINT --config FILE -- PROGRAM ARGS...}: runs PROGRAM on
 * the host as if it were our child: same argv bytes, environment, working directory and umask; our
 * stdio is its stdio; signals we get reach it; we end as it ended (its code, or its signal).
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run PROGRAM on the host (offload-exec client) as if it were a local child: argv,",
            "environment, working directory and umask carried; stdio relayed; TERM, INT, HUP,",
            "USR1, USR2, WINCH, CONT, TSTP, QUIT forwarded; exits with its code or dies by its signal.",
            "126: not allowed on the host; 127: not found or no such working directory there;",
            "255: the connection to the host was lost."
        })
final class ExecRunCommand implements Callable<Integer> {
    static final int LOST = 255;

    private static final List<String> FORWARDED =
            List.of("TERM", "INT", "HUP", "USR1", "USR2", "WINCH", "CONT", "TSTP", "QUIT", "ALRM");

    @Mixin
    DpuSideOptions options;

    @Parameters(
            arity = "1..*",
            paramLabel = "PROGRAM",
            description = "The host program (absolute path) and its arguments.")
    List<String> command;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // The program's stderr is ours: only warnings and errors of our own may join it.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Endpoint endpoint = options.endpoint();
        ExecConfig config = options.config();
        var request = LocalContext.request(command.size(), config.environment());
        var transport = TransportConfig.builder(config.node());
        ConfiguredChannel.secure(transport, endpoint, config.node(), config.pki(), config.peers(), false);
        try (OffloadClient client = OffloadClient.start(endpoint, transport.build(), connection -> {})) {
            RemoteRun run = RemoteRun.start(
                    client.connection(Duration.ofSeconds(30)), request, new FileInputStream(FileDescriptor.in));
            forwardSignals(run);
            ProcessExits.Exit exit =
                    run.await(new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
            if (exit.signalled()) {
                client.close();
                Signals.dieBy(exit.value());
            }
            return exit.asShellStatus();
        } catch (io.dpuoffload.exec.client.StartTimedOutException e) {
            spec.commandLine().getErr().println("offloadctl exec run: " + e.getMessage());
            return LOST;
        } catch (TransportException e) {
            spec.commandLine()
                    .getErr()
                    .println("offloadctl exec run: lost the connection to the host: " + e.getMessage());
            return LOST;
        }
    }

    @SuppressWarnings("restricted")
    private static void forwardSignals(RemoteRun run) {
        for (String name : FORWARDED) {
            try {
                sun.misc.Signal signal = new sun.misc.Signal(name);
                sun.misc.Signal.handle(signal, s -> run.signal(s.getNumber()));
            } catch (IllegalArgumentException e) {
                // the JVM keeps this one (e.g. QUIT without -Xrs): not forwarded
            }
        }
    }
}
