package io.dpuoffload.cli.ipc;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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
    @Mixin
    DpuSideOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Endpoint endpoint = options.endpoint();
        IpcConfig config = options.config();
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
