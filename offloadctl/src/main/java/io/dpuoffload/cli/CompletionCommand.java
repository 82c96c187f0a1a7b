package io.dpuoffload.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl completion}: prints the bash completion script for the whole command tree. The
 * distribution ships the same script, generated at build time, as {@code completion/offloadctl.bash}.
 */
@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = {
            "Print the bash (and zsh) completion script for offloadctl.",
            "",
            "Use it in this shell:   source <(offloadctl completion)",
            "Install it for bash:    offloadctl completion > /etc/bash_completion.d/offloadctl",
            "zsh: run `autoload -U +X bashcompinit && bashcompinit` first, then source it."
        })
final class CompletionCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        var root = spec.root();
        var out = spec.commandLine().getOut();
        out.print(AutoComplete.bash(root.name(), root.commandLine()));
        out.flush();
    }
}
