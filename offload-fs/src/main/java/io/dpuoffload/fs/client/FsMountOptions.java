package io.dpuoffload.fs.client;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a DPU mounts an export.
 *
 * @param opTimeout how long one file operation may wait for the host, including a reconnect; then
 *     the caller gets EIO. Bounded so that no process on the DPU hangs forever on a lost host.
 * @param localProc where the DPU's own proc is mounted, for /proc views ({@code /local_proc})
 * @param onConnected runs after each connection of the mount comes up (off the channel's locks):
 *     an agent with several connections to one host tells the others the host is back
 */
public record FsMountOptions(Duration opTimeout, Path localProc, Runnable onConnected) {
    /** 30 s: longer than any reconnect after a host agent restart, short enough to be noticed. */
    public static final Duration DEFAULT_OP_TIMEOUT = Duration.ofSeconds(30);

    public static FsMountOptions defaults() {
        return new FsMountOptions(DEFAULT_OP_TIMEOUT, Path.of("/local_proc"), () -> {});
    }

    public FsMountOptions withOpTimeout(Duration timeout) {
        return new FsMountOptions(timeout, localProc, onConnected);
    }

    public FsMountOptions withLocalProc(Path path) {
        return new FsMountOptions(opTimeout, path, onConnected);
    }

    public FsMountOptions withOnConnected(Runnable action) {
        return new FsMountOptions(opTimeout, localProc, action);
    }
}
