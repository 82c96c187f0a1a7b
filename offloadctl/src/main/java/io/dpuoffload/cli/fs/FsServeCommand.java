package io.dpuoffload.cli.fs;

import io.dpuoffload.cli.channel.ServiceServing;
import io.dpuoffload.fs.config.FsServerConfigLoader;
import io.dpuoffload.fs.host.FsServer;
import io.dpuoffload.transport.Feature;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offloadctl fs serve --config FILE}: the host side of offload-fs. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve the exports of a configuration file to DPUs (host side).",
            "",
            "Prints 'READY <endpoint>' once listening; stops cleanly on SIGTERM or Ctrl-C.",
            "Denied operations are logged on the 'dpuoffload.audit' logger."
        })
final class FsServeCommand implements Callable<Integer> {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            required = true,
            description = "The YAML configuration "
                    + "(node, listen, pki, peers, exports with their allowlists); see docs/offload-fs.md.")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return ServiceServing.serve(
                spec,
                configFile,
                FsServerConfigLoader::load,
                c -> new ServiceServing.Channel(c.node(), c.listen(), c.pki(), c.peers()),
                "tcp://198.51.100.1:7100",
                Set.of(Feature.FILESYSTEM),
                config -> {
                    var fs = new FsServer(config);
                    return ServiceServing.Running.of(fs::register, fs::close);
                });
    }
}
