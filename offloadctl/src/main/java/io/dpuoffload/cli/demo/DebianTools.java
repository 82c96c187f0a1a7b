package io.dpuoffload.cli.demo;

import java.util.List;

/** Commands a demo runs, each with the Debian package that has it. */
final class DebianTools {
    private DebianTools() {}

    /** The commands of {@code tools} ({command, package} each) not on this machine's PATH, as "name (Debian package P)". */
    static List<String> missing(List<List<String>> tools) {
        return tools.stream()
                .filter(tool -> !io.dpuoffload.topology.Prerequisites.hasCommand(tool.get(0)))
                .map(tool -> tool.get(0) + " (Debian package " + tool.get(1) + ")")
                .toList();
    }
}
