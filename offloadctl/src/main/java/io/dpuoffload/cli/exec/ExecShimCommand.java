package io.dpuoffload.cli.exec;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.exec.gateway.RexecBinary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offloadctl exec shim --program /usr/bin/X --root ROOT}: X in ROOT runs the host's X. */
@Command(
        name = "shim",
        mixinStandardHelpOptions = true,
        description = {
            "Write, at PROGRAM's path inside ROOT (an offload root), an executable that runs the",
            "host's PROGRAM with its arguments, through the exec gateway (see 'exec gateway').",
            "It is a copy of rexec with PROGRAM's path in it; argv is carried whole, argv[0] included."
        })
final class ExecShimCommand implements Callable<Integer> {
    @Option(
            names = "--program",
            paramLabel = "PATH",
            required = true,
            description = "The host program, an absolute path (it must also be in the host's exec allowlist).")
    String program;

    @Option(
            names = "--root",
            paramLabel = "ROOT",
            required = true,
            description = "The offload root (a directory); the shim is written at ROOT/PROGRAM.")
    Path root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!program.startsWith("/")) {
            throw new BadInputException(
                    "--program must be an absolute path on the host, e.g. /usr/bin/qemu-system-x86_64");
        }
        if (!root.toFile().isDirectory()) {
            throw new BadInputException("--root " + root + " is not a directory; create the offload root first");
        }
        Path target = root.resolve(program.substring(1)).normalize();
        if (!target.startsWith(root.normalize())) {
            throw new BadInputException("--program " + program + " leaves the root; give a plain absolute path");
        }
        RexecBinary.writeShim(target, program);
        spec.commandLine().getOut().println("wrote " + target + " (runs the host's " + program + ")");
        return ExitCodes.OK;
    }
}
