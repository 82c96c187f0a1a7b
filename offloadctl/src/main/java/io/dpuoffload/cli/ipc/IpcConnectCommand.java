package io.dpuoffload.cli.ipc;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offloadctl ipc connect --server ENDPOINT --config FILE}: the DPU side of offload-ipc. */
@Command(
        name = "connect",
        mixinStandardHelpOptions = true,
        description = {
            "Connect to a host's offload-ipc (DPU side) and serve in the foreground: this side's",
            "forwards reach the host's sockets, and the host's reach the sockets allowed here.",
            "",
            "Prints 'CONNECTED <endpoint>' once the channel is up; reconnects by itself;",
            "stops cleanly on SIGTERM or Ctrl-C."
        })
final class IpcConnectCommand implements Callable<Integer> {
    @Option(
            names = "--server",
            paramLabel = "ENDPOINT",
            required = true,
            description = "The host's offload-ipc endpoint, e.g. tcp://198.51.100.1:7200 or unix:/PATH.")
    String server;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            required = true,
            description = "The YAML configuration (node, pki, peers, forwards, allow, maxConnections; "
                    + "no listen); see docs/offload-ipc.md.")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Endpoint endpoint = DpuSide.endpoint(spec, server);
        IpcConfig config = DpuSide.config(configFile);
        StopSignal stop = new StopSignal(Duration.ofSeconds(10));
        try (DpuSide side = DpuSide.connect(endpoint, config)) {
            spec.commandLine().getOut().println("CONNECTED " + endpoint);
            spec.commandLine().getOut().flush();
            stop.await();
        } finally {
            stop.done();
        }
        return ExitCodes.OK;
    }
}
