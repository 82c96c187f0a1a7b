package io.dpuoffload.agent.dpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * libvirtd's health through the root's own {@code virsh}: for an agent without libvirt's client
 * library (its container image carries none; the DPU's libvirt is in the node's root). The DPU's
 * own client, of its daemon's version, asks at the URI as the root sees it.
 */
final class VirshInRoot {
    /** A daemon that answers at all answers a listing well within this. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final String CHROOT = "/usr/sbin/chroot";

    private final List<String> command;

    VirshInRoot(String uriInRoot, Path root) {
        this.command = List.of(CHROOT, root.toString(), "virsh", "-c", uriInRoot, "-q", "list", "--all");
    }

    /** How many domains libvirtd has (running, defined); throws, naming why, when it does not answer. */
    String check() throws IOException, InterruptedException {
        Process virsh = new ProcessBuilder(command).redirectErrorStream(true).start();
        virsh.getOutputStream().close();
        if (!virsh.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            virsh.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not answer within " + TIMEOUT);
        }
        String output = new String(virsh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (virsh.exitValue() != 0) {
            throw new IllegalStateException(
                    String.join(" ", command) + " failed (exit " + virsh.exitValue() + "): " + output.strip());
        }
        return counts(output);
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
