package io.dpuoffload.cli.ipc;

import io.dpuoffload.cli.channel.ServiceServeCommand;
import io.dpuoffload.cli.channel.ServiceServing;
import io.dpuoffload.ipc.IpcNode;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.config.IpcConfigLoader;
import io.dpuoffload.ipc.wire.IpcFeature;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.Services;
import java.util.Set;
import picocli.CommandLine.Command;

/** {@code offloadctl ipc serve --config FILE}: the host side of offload-ipc. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve offload-ipc to a DPU (host side): carry its connections to the sockets the",
            "configuration allows, and carry connections to this side's forwards to the DPU.",
            "",
            "Prints 'READY <endpoint>' once listening; stops cleanly on SIGTERM or Ctrl-C.",
            "Refused connects are logged on the 'dpuoffload.audit' logger."
        })
final class IpcServeCommand extends ServiceServeCommand<IpcConfig> {
    IpcServeCommand() {
        super(
                IpcConfigLoader::load,
                c -> new ServiceServing.Channel(c.node(), c.listen(), c.pki(), c.peers()),
                "tcp://198.51.100.1:7200",
                Set.of(IpcFeature.IPC));
    }

    @Override
    protected ServiceServing.Running start(IpcConfig config) throws Exception {
        IpcNode node = new IpcNode(config);
        return new ServiceServing.Running() {
            @Override
            public Services.Builder register(Services.Builder services) {
                return node.register(services);
            }

            @Override
            public void connected(OffloadConnection connection) {
                node.connected(connection);
            }

            @Override
            public void listening() throws Exception {
                node.start(); // the forwards' sockets, once the channel listens
            }

            @Override
            public void close() {
                node.close();
            }
        };
    }
}
