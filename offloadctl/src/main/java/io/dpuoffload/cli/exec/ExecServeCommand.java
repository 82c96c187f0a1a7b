package io.dpuoffload.cli.exec;

import io.dpuoffload.cli.channel.ServiceServing;
import io.dpuoffload.exec.config.ExecConfigLoader;
import io.dpuoffload.exec.host.ExecServer;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offloadctl exec serve --config FILE}: the host side of offload-exec. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve offload-exec (host side) in the foreground: run the allowed programs that",
            "DPU clients ask for. Prints 'READY <endpoint>'; stops on SIGTERM or Ctrl-C."
        })
final class ExecServeCommand implements Callable<Integer> {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            required = true,
            description = "The YAML configuration (node, listen, pki, peers, allow); see docs/offload-exec.md.")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return ServiceServing.serve(
                spec,
                configFile,
                ExecConfigLoader::load,
                c -> new ServiceServing.Channel(c.node(), c.listen(), c.pki(), c.peers()),
                "tcp://198.51.100.1:7300",
                Set.of(),
                config -> {
                    var exec = new ExecServer(config.allow(), config.files()).reapOrphans();
                    return ServiceServing.Running.of(exec::register, exec::close);
                });
    }
}
