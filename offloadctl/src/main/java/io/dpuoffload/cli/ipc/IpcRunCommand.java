package io.dpuoffload.cli.ipc;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.intercept.InterceptedLauncher;
import io.dpuoffload.intercept.InterceptionUnavailableException;
import io.dpuoffload.intercept.Interceptions;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.transparent.TransparentConnect;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl ipc run --server ENDPOINT --config FILE -- PROGRAM ARGS...}: the DPU side of
 * offload-ipc with one program started under transparent connect.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Connect to a host's offload-ipc (DPU side), then run PROGRAM with transparent connect:",
            "its connect() calls (and its children's) to sockets under the config's 'transparent'",
            "directories reach the host's sockets; all others go to the kernel untouched.",
            "",
            "PROGRAM inherits stdin, stdout and stderr; offloadctl exits with its exit status",
            "(128+N when a signal N ended it). Needs Linux 5.9+ and root or no_new_privs."
        })
final class IpcRunCommand implements Callable<Integer> {
    @Mixin
    DpuSideOptions options;

    @Parameters(arity = "1..*", paramLabel = "PROGRAM", description = "The program and its arguments.")
    List<String> command;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var endpoint = options.endpoint();
        IpcConfig config = options.config();
        if (config.transparent().isEmpty()) {
            throw new BadInputException(
                    options.configFile + ": no 'transparent' mappings, so nothing would be carried; "
                            + "add e.g. transparent: [{local: /run/libvirt/qemu, peer: /run/libvirt/qemu}]");
        }
        try (DpuSide side = DpuSide.connect(endpoint, config);
                InterceptedLauncher launcher = InterceptedLauncher.start(
                        Interceptions.none().withConnect(new TransparentConnect(side.node, config.transparent())))) {
            Process program = launcher.launch(new ProcessBuilder(command).inheritIO());
            return program.waitFor();
        } catch (InterceptionUnavailableException e) {
            spec.commandLine().getErr().println("offloadctl ipc run: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }
}
