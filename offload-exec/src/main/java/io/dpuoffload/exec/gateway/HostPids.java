package io.dpuoffload.exec.gateway;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DPU side's map of host pids: every pid the host reported for a run (the program, and the
 * descendants that outlived it, such as a daemonized QEMU). A kill or affinity call on one of
 * these numbers goes to the host; every other pid stays local. Bounded: the oldest entries go
 * first, long after their processes (a host answers ESRCH for a pid that is gone, which drops it).
 */
public final class HostPids {
    /** Far more than the processes a DPU's daemons run on the host at once. */
    static final int MAX_ENTRIES = 65_536;

    private final Map<Integer, Boolean> pids = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
            return size() > MAX_ENTRIES;
        }
    });

    /**
     * The DPU pids of the rexec clients running now: each stands in for its host program, so a
     * signal to one is the DPU's, whatever host pid shares its number.
     */
    private final java.util.Set<Integer> standIns = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Each stand-in's host program, once the host reported it: what the DPU's /proc view shows for it. */
    private final Map<Integer, Integer> standInPrograms = new java.util.concurrent.ConcurrentHashMap<>();

    void standInStarted(int pid) {
        standIns.add(pid);
    }

    /** {@code standIn}'s program runs on the host as {@code hostPid} (the first pid reported wins). */
    void standInRuns(int standIn, int hostPid) {
        if (standIns.contains(standIn) && hostPid > 0) {
            standInPrograms.putIfAbsent(standIn, hostPid);
        }
    }

    void standInEnded(int pid) {
        standIns.remove(pid);
        standInPrograms.remove(pid);
    }

    /**
     * The host pid of the program {@code pid} stands in for, 0 if {@code pid} is no stand-in or its
     * program has not started: a daemon that reads {@code /proc/<stand-in>/stat} for its child's
     * CPU time and memory (libvirt's domstats) is shown the host program's.
     */
    public int programOf(int pid) {
        return standInPrograms.getOrDefault(pid, 0);
    }

    /** Whether {@code pid} is a stand-in (a rexec client) on the DPU now. */
    public boolean isStandIn(int pid) {
        return standIns.contains(pid);
    }

    public void add(int pid) {
        if (pid > 0) {
            pids.put(pid, Boolean.TRUE);
        }
    }

    public void remove(int pid) {
        pids.remove(pid);
    }

    public boolean contains(int pid) {
        return pid > 0 && pids.containsKey(pid);
    }
}
