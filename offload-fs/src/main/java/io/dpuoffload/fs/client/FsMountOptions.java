package io.dpuoffload.fs.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntUnaryOperator;

/**
 * How a DPU mounts an export.
 *
 * @param opTimeout how long one file operation may wait for the host, including a reconnect; then
 *     the caller gets EIO. Bounded so that no process on the DPU hangs forever on a lost host.
 * @param localProc where the DPU's own proc is mounted, for /proc views ({@code /local_proc})
 * @param onConnected runs after each connection of the mount comes up (off the channel's locks):
 *     an agent with several connections to one host tells the others the host is back
 * @param programOfStandIn for /proc views: the host pid of the program a DPU pid stands in for (an
 *     exec shim, QEMU's stand-in), 0 for any other pid; a stand-in's /proc entry is then its host
 *     program's, so its CPU time, memory and threads are what a daemon reads (libvirt's domstats)
 */
public record FsMountOptions(
        Duration opTimeout, Path localProc, Runnable onConnected, IntUnaryOperator programOfStandIn) {
    /** 30 s: longer than any reconnect after a host agent restart, short enough to be noticed. */
    public static final Duration DEFAULT_OP_TIMEOUT = Duration.ofSeconds(30);

    public static FsMountOptions defaults() {
        return new FsMountOptions(DEFAULT_OP_TIMEOUT, Path.of("/local_proc"), () -> {}, pid -> 0);
    }

    public FsMountOptions withOpTimeout(Duration timeout) {
        return new FsMountOptions(timeout, localProc, onConnected, programOfStandIn);
    }

    public FsMountOptions withLocalProc(Path path) {
        return new FsMountOptions(opTimeout, path, onConnected, programOfStandIn);
    }

    public FsMountOptions withOnConnected(Runnable action) {
        return new FsMountOptions(opTimeout, localProc, action, programOfStandIn);
    }

    public FsMountOptions withProgramOfStandIn(IntUnaryOperator map) {
        return new FsMountOptions(opTimeout, localProc, onConnected, map);
    }
}
