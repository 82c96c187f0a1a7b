package io.dpuoffload.exec.host;

import io.dpuoffload.exec.console.ConsoleRelay;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.transport.RequestContext;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's end of the consoles the DPU opens ({@link io.dpuoffload.exec.wire.ExecWire#CONSOLE}):
 * the slave of a pty whose master a run's program holds (QEMU's serial port on {@code
 * /dev/pts/N}), relayed to the DPU. Only such a pty: the host's other terminals (an administrator's
 * ssh session) are no business of the DPU's, and a request for one is refused and audit-logged.
 */
final class HostConsoles {
    private static final Logger log = LoggerFactory.getLogger(HostConsoles.class);
    private static final Logger audit = LoggerFactory.getLogger("dpuoffload.audit");

    private final HostPidCalls runs;
    /** Where the programs' /dev/pts is: the node's root, for an agent in a pod. */
    private volatile Path devPts = Path.of("/dev/pts");

    HostConsoles(HostPidCalls runs) {
        this.runs = runs;
    }

    void terminalsUnder(Path programsRoot) {
        devPts = programsRoot.resolve("dev/pts");
    }

    void open(RequestContext context, ByteStream stream, ByteBuf header) {
        if (header.readableBytes() < 8) {
            stream.cancel("a console request names a host pid and a pty number");
            return;
        }
        int pid = header.readInt();
        int index = header.readInt();
        if (!runs.ours(pid) || !holdsMaster(pid, index)) {
            audit.warn(
                    "denied peer={} op=console pid={} pty={} (not a pty a run's program holds)",
                    context.peer(),
                    pid,
                    index);
            stream.cancel("pty " + index + " is not a terminal of a program run for the DPU (pid " + pid + ")");
            return;
        }
        String description = "console of pid " + pid + " (pts/" + index + ")";
        try {
            int fd = FileCalls.openat(
                    Flags.AT_FDCWD,
                    devPts.resolve(Integer.toString(index)).toString(),
                    Flags.O_RDWR | Flags.O_NOCTTY | Flags.O_CLOEXEC | Flags.O_NONBLOCK,
                    0);
            ConsoleRelay.start(fd, stream, false, description, () -> log.debug("{}: ended", description));
            log.info("{}: opened for {}", description, context.peer());
        } catch (ErrnoException e) {
            stream.cancel("cannot open " + description + ": " + e.getMessage());
        }
    }

    /** Whether {@code pid} holds the master of pty {@code index} (its fdinfo says {@code tty-index}). */
    private static boolean holdsMaster(int pid, int index) {
        Path fds = Path.of("/proc", Integer.toString(pid), "fd");
        try (var entries = Files.list(fds)) {
            for (Path fd : entries.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (!target.endsWith("ptmx")) {
                    continue;
                }
                Path info = Path.of(
                        "/proc",
                        Integer.toString(pid),
                        "fdinfo",
                        fd.getFileName().toString());
                try {
                    if (Files.readAllLines(info).contains("tty-index:\t" + index)) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return false; // gone
        }
        return false;
    }
}
