package io.dpuoffload.exec.host;

import io.dpuoffload.exec.wire.ExecRequest;
import io.dpuoffload.exec.wire.ExecWire;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Pidfds;
import io.dpuoffload.transport.RequestContext;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of offload-exec: runs the programs that clients on the DPU ask for, if their exact
 * path is allowed (deny by default; each refusal is an audit line), and relays each one's stdio,
 * signals and exit over its stream.
 */
public final class ExecServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecServer.class);
    private static final Logger audit = LoggerFactory.getLogger("dpuoffload.audit");

    /** The shell's statuses for "cannot execute" and "not found". */
    static final int CANNOT_EXECUTE = 126;

    static final int NOT_FOUND = 127;

    private final Set<String> allowedPrograms;
    private final Spawner spawner;
    private final RunCgroups cgroups = RunCgroups.discover();

    public ExecServer(Set<String> allowedPrograms) throws ErrnoException {
        this.allowedPrograms = Set.copyOf(allowedPrograms);
        this.spawner = new Spawner();
    }

    /** Whether descendants that leave a program's process group are followed (a cgroup per run). */
    public boolean followsDescendants() {
        return cgroups.available();
    }

    public Services.Builder register(Services.Builder services) {
        return services.onStream(ExecWire.EXEC, this::exec);
    }

    private void exec(RequestContext context, ByteStream stream, ByteBuf header) throws InterruptedException {
        ExecRequest request;
        try {
            request = ExecRequest.decode(header);
        } catch (IllegalArgumentException e) {
            stream.cancel(e.getMessage());
            return;
        }
        String program = request.programName();
        String description = "exec " + program + " for " + context.peer();
        if (!allowedPrograms.contains(program)) {
            audit.warn("denied peer={} op=exec program={} (not in the allowed programs)", context.peer(), program);
            refuse(
                    stream,
                    CANNOT_EXECUTE,
                    "offload-exec: " + program + " is not allowed on this host "
                            + "(the host's exec allowlist names exact paths; add it there)");
            return;
        }
        int[] stdin;
        int[] stdout;
        int[] stderr;
        try {
            stdin = FileCalls.pipe2(Flags.O_CLOEXEC);
            stdout = FileCalls.pipe2(Flags.O_CLOEXEC);
            stderr = FileCalls.pipe2(Flags.O_CLOEXEC);
        } catch (ErrnoException e) {
            refuse(stream, NOT_FOUND, "offload-exec: cannot make pipes on the host: " + e.getMessage());
            return;
        }
        int pid;
        var cgroup = cgroups.prepare();
        try {
            pid = spawner.spawn(request, stdin[0], stdout[1], stderr[1], cgroup);
        } catch (Spawner.SpawnFailure failure) {
            cgroup.ifPresent(RunCgroups.Prepared::abandon);
            closeAll(stdin, stdout, stderr);
            String why = failure.inChdir
                    ? "the working directory " + new String(request.cwd(), StandardCharsets.UTF_8)
                            + " does not exist on the host (" + Errno.name(failure.cause.errno()) + ")"
                    : program + ": " + Errno.name(failure.cause.errno());
            int status = !failure.inChdir && failure.cause.errno() == Errno.EACCES ? CANNOT_EXECUTE : NOT_FOUND;
            refuse(stream, status, "offload-exec: " + why);
            return;
        }
        FileCalls.closeQuietly(stdin[0]);
        FileCalls.closeQuietly(stdout[1]);
        FileCalls.closeQuietly(stderr[1]);
        int pidfd;
        try {
            pidfd = Pidfds.open(pid);
        } catch (ErrnoException e) {
            log.error("{}: pidfd_open({}) failed: {}", description, pid, e.getMessage());
            closeAll(new int[] {stdin[1]}, new int[] {stdout[0]}, new int[] {stderr[0]});
            return;
        }
        var group = cgroup.map(RunCgroups.Prepared::group);
        log.info("{}: started pid {}", description, pid);
        new RemoteProcess(pid, pidfd, group, stream, description).relay(stdin[1], stdout[0], stderr[0]);
    }

    private static void refuse(ByteStream stream, int status, String message) {
        stream.write(ExecWire.refused(ByteBufAllocator.DEFAULT, status, message + "\n"));
        stream.finish();
    }

    private static void closeAll(int[]... pipes) {
        for (int[] pipe : pipes) {
            for (int fd : pipe) {
                FileCalls.closeQuietly(fd);
            }
        }
    }

    @Override
    public void close() {
        spawner.close();
        cgroups.close();
    }
}
