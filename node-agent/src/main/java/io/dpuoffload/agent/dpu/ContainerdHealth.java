package io.dpuoffload.agent.dpu;

import java.nio.file.Path;
import java.util.List;

/**
 * containerd's health, as its own client sees it: {@code ctr --address SOCKET version} run in the
 * root, which asks containerd's API for the server's version (the DPU's ctr, of its containerd's
 * version; the agent links no containerd client).
 */
final class ContainerdHealth implements HealthProbe {
    private final Path socket;
    private final CommandInRoot ctr;

    ContainerdHealth(Path socketInRoot, Path root) {
        this.socket = socketInRoot;
        // bounded below CommandInRoot's own bound, so that a containerd that is not there is named as such
        this.ctr = new CommandInRoot(
                root,
                List.of(
                        "ctr",
                        "--connect-timeout",
                        "5s",
                        "--timeout",
                        "8s",
                        "--address",
                        socketInRoot.toString(),
                        "version"));
    }

    @Override
    public String target() {
        return socket.toString();
    }

    /** The server's version, as ctr prints it; throws, naming why, when containerd does not answer. */
    @Override
    public String check() throws Exception {
        return serverVersion(ctr.run());
    }

    /**
     * {@code ctr version} prints a Client: and a Server: section, each with a "Version:" line; the
     * server's is what containerd answered.
     */
    static String serverVersion(String output) {
        boolean server = false;
        for (String line : output.lines().toList()) {
            String text = line.strip();
            if (text.startsWith("Server:")) {
                server = true;
            } else if (server && text.startsWith("Version:")) {
                return "containerd " + text.substring("Version:".length()).strip();
            }
        }
        throw new IllegalStateException("ctr version printed no server version: " + output.strip());
    }
}
