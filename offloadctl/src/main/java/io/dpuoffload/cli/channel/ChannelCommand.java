package io.dpuoffload.cli.channel;

import io.dpuoffload.pki.TlsFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code offloadctl channel}: run, check and measure the host-DPU channel. */
@Command(
        name = "channel",
        mixinStandardHelpOptions = true,
        description = {
            "Run, check and measure the host-DPU channel.",
            "",
            "  host:  offloadctl channel serve --listen tcp://ADDR:7000 --node host-1",
            "  DPU:   offloadctl channel probe --server tcp://HOST:7000 --node dpu-1",
            "On one machine, as root, in two network namespaces:",
            "  offloadctl channel demo    the channel end to end, with a summary",
            "Throughput and round trips against plain TCP: offload-bench transport (./dpuo bench transport)."
        },
        subcommands = {ServeCommand.class, ProbeCommand.class, DemoCommand.class, ImpostorCommand.class})
public final class ChannelCommand implements Runnable {

    /** {@link TlsFiles#DEFAULT_DIRECTORY} as a constant that annotations can use; a test keeps them equal. */
    static final String DEFAULT_PKI_DIRECTORY = "/etc/dpu-offload/pki";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
