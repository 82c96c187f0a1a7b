package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.ChildProcess;
import io.dpuoffload.bench.HostSide;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.channel.ByteSize;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bench fs host-side} (hidden; {@code offload-bench fs} starts it on the host node): in this process's own
 * mount namespace, a tmpfs on the exported directory; then sshd and {@code fs serve} as children, so both serve the
 * same directory and the same /proc. Prints {@code READY proc-pid=PID} and serves until SIGTERM, then stops both by
 * pid and unmounts.
 */
@Command(
        name = "host-side",
        hidden = true,
        description =
                "For `offload-bench fs`: serve a tmpfs and /proc with sshd and fs serve on the host node until SIGTERM.")
final class HostSideCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(HostSideCommand.class);

    /**
     * The host node's processes get pids from here on, so none of them has a pid that also exists on the DPU node
     * (whose namespace uses a few hundred): offload-fs's proc view answers a pid that exists on the DPU locally. Below
     * the kernel's smallest default pid_max, 32768.
     */
    static final long PID_FLOOR = 20_000;

    /** What sshd needs and Debian's init scripts create: the privilege separation directory. */
    private static final Path SSHD_RUN_DIRECTORY = Path.of("/run/sshd");

    @Option(names = "--layout", paramLabel = "DIR", required = true, description = "The benchmark's directory.")
    Path layoutRoot;

    @Option(names = "--size", paramLabel = "SIZE", required = true, description = "The data file's size.")
    String size;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        BenchLayout layout = new BenchLayout(layoutRoot);
        long largestFile = Math.max(ByteSize.parse("--size", size), BenchLoad.WARM_UP_BYTES);
        try (HostSide side = new HostSide()) {
            // One data file at a time (sshfs's, then offload-fs's), and room for one left by a failure.
            mountTmpfs(side, layout.export(), "size=" + (2 * largestFile + DpuMounts.TMPFS_HEADROOM) + ",mode=0755");
            ensureSshdRunDirectory(side);
            raisePidFloor();

            ChildProcess sshd = side.own(ChildProcess.start(
                    "sshd",
                    List.of(
                            BenchTools.SSHD.path(),
                            "-D",
                            "-e",
                            "-f",
                            SshSetup.sshdConfig(layout.ssh()).toString()),
                    Map.of()));
            sshd.awaitLine(Pattern.compile("Server listening on "), HostSide.START_TIMEOUT);

            ChildProcess serve = side.own(ChildProcess.offloadctl(
                    "fs serve",
                    List.of("fs", "serve", "--config", layout.fsConfig().toString()),
                    Map.of()));
            serve.awaitLine(Pattern.compile("^READY "), HostSide.START_TIMEOUT);

            side.serveUntilStopped(
                    spec.commandLine().getOut(), HostSide.READY + " proc-pid=" + sshd.pid(), List.of(sshd, serve));
        }
        return ExitCodes.OK;
    }

    private static void mountTmpfs(HostSide side, Path where, String options) throws ErrnoException {
        Mounts.mount("fs-bench-export", where.toString(), "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, options);
        side.onClose(() -> detach(where));
    }

    /**
     * sshd refuses to start without /run/sshd. Where the machine has none (no sshd was ever started), a small tmpfs on
     * /run in this node's private mount namespace provides it: the machine's own /run is not touched.
     */
    private static void ensureSshdRunDirectory(HostSide side) throws IOException {
        if (Files.isDirectory(SSHD_RUN_DIRECTORY)) {
            return;
        }
        mountTmpfs(side, SSHD_RUN_DIRECTORY.getParent(), "size=1m,mode=0755");
        Files.createDirectory(
                SSHD_RUN_DIRECTORY, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    /**
     * Moves this PID namespace's next pid to {@link #PID_FLOOR} ({@code /proc/sys/kernel/ns_last_pid}, which root may
     * write for its own namespace). If it cannot, the DPU side says so rather than measure the wrong process.
     */
    private static void raisePidFloor() {
        Path lastPid = Path.of("/proc/sys/kernel/ns_last_pid");
        try {
            long pidMax = readNumber(Path.of("/proc/sys/kernel/pid_max"));
            long current = readNumber(lastPid);
            if (pidMax > PID_FLOOR * 3 / 2 && current < PID_FLOOR) {
                Files.writeString(lastPid, Long.toString(PID_FLOOR - 1));
                log.info("host node pids start at {} (ns_last_pid was {}, pid_max {})", PID_FLOOR, current, pidMax);
            }
        } catch (IOException | NumberFormatException e) {
            log.warn(
                    "could not raise the host node's pids above {} ({}); the /proc row may collide with a DPU pid",
                    PID_FLOOR,
                    e.getMessage());
        }
    }

    /**
     * A sysctl's number, in one read(2): these files answer only a read at offset 0, and Files.readString reads one
     * byte first, so it would see "3" of "32768".
     */
    private static long readNumber(Path sysctl) throws IOException {
        try (var in = Files.newInputStream(sysctl)) {
            return Long.parseLong(new String(in.readNBytes(64), java.nio.charset.StandardCharsets.US_ASCII).strip());
        }
    }

    private static void detach(Path where) {
        try {
            Mounts.umount2(where.toString(), Mounts.MNT_DETACH);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINVAL) {
                log.warn("unmounting {} failed: {}", where, e.getMessage());
            }
        }
    }
}
