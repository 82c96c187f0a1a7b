package io.dpuoffload.cli.exec;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.cli.channel.ConfiguredChannel;
import io.dpuoffload.exec.config.ExecConfig;
import io.dpuoffload.exec.gateway.ExecGateway;
import io.dpuoffload.intercept.InterceptedLauncher;
import io.dpuoffload.intercept.InterceptionUnavailableException;
import io.dpuoffload.intercept.Interceptions;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl exec gateway --server ENDPOINT --config FILE [--socket PATH]}: the DPU side that
 * rexec clients and shims hand their runs to, holding one connection to the host for all of them.
 */
@Command(
        name = "gateway",
        mixinStandardHelpOptions = true,
        description = {
            "Serve rexec clients and shims on this DPU (offload-exec, DPU side) in the foreground:",
            "each hands its argv, environment, working directory, umask and descriptors over a",
            "Unix socket (mode 0600), and its program runs on the host over one kept connection.",
            "Prints 'READY <socket>'; reconnects by itself; stops on SIGTERM or Ctrl-C."
        })
final class ExecGatewayCommand implements Callable<Integer> {
    /** How long a run waits for the host connection when it is down (reconnecting). */
    private static final Duration CONNECTION_WAIT = Duration.ofSeconds(10);

    @Mixin
    DpuSideOptions options;

    @Option(
            names = "--socket",
            paramLabel = "PATH",
            defaultValue = "/run/dpu-offload/exec.sock",
            description =
                    "Where rexec finds us (rexec reads DPUO_EXEC_SOCKET, else this default). Default: ${DEFAULT-VALUE}.")
    Path socket;

    @Parameters(
            arity = "0..*",
            paramLabel = "PROGRAM",
            description = {
                "A program to run on this DPU under interception (as the node agent runs a daemon):",
                "its kill, tgkill and sched_*affinity calls on host pids of its runs reach the host.",
                "The gateway then ends with it, exiting with its status."
            })
    List<String> program = List.of();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Endpoint endpoint = options.endpoint();
        ExecConfig config = options.config();
        var transport = TransportConfig.builder(config.node());
        ConfiguredChannel.secure(transport, endpoint, config.node(), config.pki(), config.peers(), false);
        StopSignal stop = new StopSignal(Duration.ofSeconds(10));
        try (OffloadClient client = OffloadClient.start(endpoint, transport.build(), connection -> {});
                ExecGateway gateway = ExecGateway.start(
                        socket.toAbsolutePath(), () -> client.connection(CONNECTION_WAIT), config.environment())) {
            spec.commandLine().getOut().println("READY " + gateway.socket());
            spec.commandLine().getOut().flush();
            if (program.isEmpty()) {
                stop.await();
                return ExitCodes.OK;
            }
            return runIntercepted(gateway, stop);
        } finally {
            stop.done();
        }
    }

    /** Runs {@link #program} with the gateway's pid calls intercepted; its status, the shell's way. */
    private int runIntercepted(ExecGateway gateway, StopSignal stop) throws Exception {
        try (InterceptedLauncher launcher =
                InterceptedLauncher.start(Interceptions.none().withPidCalls(gateway.pidCalls()))) {
            ProcessBuilder builder = new ProcessBuilder(program).inheritIO();
            builder.environment().put("DPUO_EXEC_SOCKET", gateway.socket().toString());
            Process process = launcher.launch(builder);
            process.onExit().thenRun(stop::request);
            stop.await();
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(CONNECTION_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            return process.waitFor();
        } catch (InterceptionUnavailableException e) {
            throw new BadInputException("cannot run " + program.getFirst() + " under interception: " + e.getMessage());
        }
    }
}
