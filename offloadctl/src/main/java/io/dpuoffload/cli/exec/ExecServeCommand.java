package io.dpuoffload.cli.exec;

import io.dpuoffload.cli.channel.ServiceServeCommand;
import io.dpuoffload.cli.channel.ServiceServing;
import io.dpuoffload.exec.config.ExecConfig;
import io.dpuoffload.exec.config.ExecConfigLoader;
import io.dpuoffload.exec.host.ExecServer;
import java.util.Set;
import picocli.CommandLine.Command;

/** {@code offloadctl exec serve --config FILE}: the host side of offload-exec. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve offload-exec (host side) in the foreground: run the allowed programs that",
            "DPU clients ask for. Prints 'READY <endpoint>'; stops on SIGTERM or Ctrl-C."
        })
final class ExecServeCommand extends ServiceServeCommand<ExecConfig> {
    ExecServeCommand() {
        super(
                ExecConfigLoader::load,
                c -> new ServiceServing.Channel(c.node(), c.listen(), c.pki(), c.peers()),
                "tcp://198.51.100.1:7300",
                Set.of());
    }

    @Override
    protected ServiceServing.Running start(ExecConfig config) throws Exception {
        ExecServer exec = new ExecServer(config.allow(), config.files()).reapOrphans();
        return ServiceServing.Running.of(exec::register, exec::close);
    }
}
