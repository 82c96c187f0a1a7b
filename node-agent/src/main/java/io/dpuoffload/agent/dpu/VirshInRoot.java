package io.dpuoffload.agent.dpu;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * libvirtd's health through the root's own {@code virsh}: for an agent without libvirt's client
 * library (its container image carries none; the DPU's libvirt is in the node's root). The DPU's
 * own client, of its daemon's version, asks at the URI as the root sees it.
 */
final class VirshInRoot {
    private final CommandInRoot virsh;

    VirshInRoot(String uriInRoot, Path root) {
        this.virsh = new CommandInRoot(root, List.of("virsh", "-c", uriInRoot, "-q", "list", "--all"));
    }

    /** How many domains libvirtd has (running, defined); throws, naming why, when it does not answer. */
    String check() throws IOException, InterruptedException {
        return counts(virsh.run());
    }

    /** {@code virsh -q list --all}: one line per domain, "ID NAME STATE", the ID "-" when not running. */
    static String counts(String listing) {
        long running = 0;
        long defined = 0;
        for (String line : listing.strip().lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            if (line.strip().startsWith("-")) {
                defined++;
            } else {
                running++;
            }
        }
        return running + " running, " + defined + " defined domain(s)";
    }
}
