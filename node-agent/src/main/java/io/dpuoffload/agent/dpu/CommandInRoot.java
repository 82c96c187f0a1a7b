package io.dpuoffload.agent.dpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A daemon's own client run in the offload root ({@code chroot ROOT CLIENT...}), bounded in time: how
 * an agent without the client's library (its container image carries none) asks a daemon whether it
 * works, with the DPU's own client of the daemon's own version.
 */
final class CommandInRoot {
    /** A daemon that answers at all answers its client well within this. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final String CHROOT = "/usr/sbin/chroot";

    private final List<String> command;

    CommandInRoot(Path root, List<String> client) {
        List<String> command = new ArrayList<>(List.of(CHROOT, root.toString()));
        command.addAll(client);
        this.command = List.copyOf(command);
    }

    /** The client's output (stdout and stderr); throws, naming the command and what it said, unless it exits 0. */
    String run() throws IOException, InterruptedException {
        Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        client.getOutputStream().close();
        if (!client.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            client.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not answer within " + TIMEOUT);
        }
        String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (client.exitValue() != 0) {
            throw new IllegalStateException(
                    String.join(" ", command) + " failed (exit " + client.exitValue() + "): " + output.strip());
        }
        return output;
    }
}
