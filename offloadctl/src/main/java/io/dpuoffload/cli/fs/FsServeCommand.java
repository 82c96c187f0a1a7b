package io.dpuoffload.cli.fs;

import io.dpuoffload.cli.channel.ServiceServeCommand;
import io.dpuoffload.cli.channel.ServiceServing;
import io.dpuoffload.fs.config.FsServerConfig;
import io.dpuoffload.fs.config.FsServerConfigLoader;
import io.dpuoffload.fs.host.FsServer;
import io.dpuoffload.fs.wire.FsFeature;
import java.util.Set;
import picocli.CommandLine.Command;

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
final class FsServeCommand extends ServiceServeCommand<FsServerConfig> {
    FsServeCommand() {
        super(
                FsServerConfigLoader::load,
                c -> new ServiceServing.Channel(c.node(), c.listen(), c.pki(), c.peers()),
                "tcp://198.51.100.1:7100",
                Set.of(FsFeature.FILESYSTEM));
    }

    @Override
    protected ServiceServing.Running start(FsServerConfig config) throws Exception {
        FsServer fs = new FsServer(config);
        return ServiceServing.Running.of(fs::register, fs::close);
    }
}
