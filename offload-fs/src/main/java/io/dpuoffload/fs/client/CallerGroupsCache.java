package io.dpuoffload.fs.client;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Supplementary groups by pid, remembered for a second: reading /proc/PID/status on every request
 * would cost more than the request. A second is also the longest a reused pid could borrow its
 * predecessor's groups.
 *
 * <p>An entry is only used for the uid and gid it was read with: a process dropping privileges
 * (setgroups, setgid, setuid — a daemon leaving root) changes them, and its next request must not
 * carry the groups it gave up. A change of the groups alone, with the same uid and gid, can still
 * take up to the second to be seen.
 */
final class CallerGroupsCache {
    private static final long TTL_NANOS = 1_000_000_000L;
    /** Bounds the map on a DPU that forks many short-lived processes. */
    private static final int MAX_ENTRIES = 4096;

    private record Entry(int uid, int gid, int[] groups, long expiresNanos) {}

    private final CallerGroups source;
    private final ConcurrentHashMap<Integer, Entry> cache = new ConcurrentHashMap<>();

    CallerGroupsCache(CallerGroups source) {
        this.source = source;
    }

    /** The groups of process {@code pid}, which made a request as {@code uid}/{@code gid}. */
    int[] of(int pid, int uid, int gid) {
        long now = System.nanoTime();
        Entry entry = cache.get(pid);
        if (entry != null && entry.uid == uid && entry.gid == gid && now - entry.expiresNanos < 0) {
            return entry.groups;
        }
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        int[] groups = source.of(pid);
        cache.put(pid, new Entry(uid, gid, groups, now + TTL_NANOS));
        return groups;
    }
}
