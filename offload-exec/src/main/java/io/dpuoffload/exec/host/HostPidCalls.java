package io.dpuoffload.exec.host;

import io.dpuoffload.exec.wire.PidCall;
import io.dpuoffload.linux.Affinity;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.ProcessExits;
import io.dpuoffload.transport.RequestContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kill, tgkill and CPU affinity on host processes, asked for by the DPU with a host pid (which it
 * learned from a pidfile or the host's /proc). Only processes of our runs may be reached: those in
 * a run's cgroup, or, without cgroups, in the session of a program we started. Anything else is
 * ESRCH, as for a process the caller cannot see, with an audit line.
 */
final class HostPidCalls {
    private static final Logger log = LoggerFactory.getLogger(HostPidCalls.class);
    private static final Logger audit = LoggerFactory.getLogger("dpuoffload.audit");

    private final RunCgroups cgroups;
    /** The programs we started (each leads its own session). */
    private final Set<Integer> started = ConcurrentHashMap.newKeySet();

    HostPidCalls(RunCgroups cgroups) {
        this.cgroups = cgroups;
    }

    void started(int pid) {
        started.add(pid);
    }

    boolean isStarted(int pid) {
        return started.contains(pid);
    }

    void ended(int pid) {
        started.remove(pid);
    }

    ByteBuf handle(RequestContext context, ByteBuf body) {
        PidCall call = PidCall.decode(body);
        if (!ours(call.pid()) && !Files.exists(Path.of("/proc", Integer.toString(call.pid())))) {
            // ended (and reaped) meanwhile, as a probe libvirt stops: ESRCH is the answer, no denial
            log.debug("pid call {} on {} for {}: no such process", call.op(), call.pid(), context.peer());
            return new PidCall.Result(-Errno.ESRCH, new byte[0]).encode(ByteBufAllocator.DEFAULT);
        }
        if (!ours(call.pid())) {
            audit.warn(
                    "denied peer={} op=pid-call call={} pid={} (not a process of a run of ours)",
                    context.peer(),
                    call.op(),
                    call.pid());
            return new PidCall.Result(-Errno.ESRCH, new byte[0]).encode(ByteBufAllocator.DEFAULT);
        }
        PidCall.Result result =
                switch (call.op()) {
                    case PidCall.KILL -> new PidCall.Result(ProcessExits.kill(call.pid(), call.value()), new byte[0]);
                    case PidCall.TGKILL ->
                        new PidCall.Result(ProcessExits.tgkill(call.pid(), call.tid(), call.value()), new byte[0]);
                    case PidCall.SET_AFFINITY -> {
                        try {
                            Affinity.set(call.pid(), call.mask());
                            yield new PidCall.Result(0, new byte[0]);
                        } catch (ErrnoException e) {
                            yield new PidCall.Result(-e.errno(), new byte[0]);
                        }
                    }
                    case PidCall.GET_AFFINITY -> {
                        try {
                            byte[] mask = Affinity.get(call.pid(), call.value());
                            yield new PidCall.Result(mask.length, mask);
                        } catch (ErrnoException e) {
                            yield new PidCall.Result(-e.errno(), new byte[0]);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown pid call " + call.op());
                };
        log.debug("pid call {} on {} for {}: {}", call.op(), call.pid(), context.peer(), result.value());
        return result.encode(ByteBufAllocator.DEFAULT);
    }

    /** Whether {@code pid} belongs to one of our runs. */
    boolean ours(int pid) {
        if (pid <= 0) {
            return false;
        }
        if (cgroups.owns(pid)) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            // after "(comm)", fields: state ppid pgrp session
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return started.contains(Integer.parseInt(fields[3]));
        } catch (IOException | RuntimeException e) {
            return false; // gone
        }
    }
}
