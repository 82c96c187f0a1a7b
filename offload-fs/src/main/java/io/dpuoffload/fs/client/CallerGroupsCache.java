package io.dpuoffload.fs.client;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Supplementary groups by pid, remembered for a second: reading /proc/PID/status on every request
 * would cost more than the request. A process's groups rarely change, and a second is also the
 * longest a reused pid could borrow its predecessor's groups.
 */
final class CallerGroupsCache {
    private static final long TTL_NANOS = 1_000_000_000L;
    /** Bounds the map on a DPU that forks many short-lived processes. */
    private static final int MAX_ENTRIES = 4096;

    private record Entry(int[] groups, long expiresNanos) {}

    private final CallerGroups source;
    private final ConcurrentHashMap<Integer, Entry> cache = new ConcurrentHashMap<>();

    CallerGroupsCache(CallerGroups source) {
        this.source = source;
    }

    int[] of(int pid) {
        long now = System.nanoTime();
        Entry entry = cache.get(pid);
        if (entry != null && now - entry.expiresNanos < 0) {
            return entry.groups;
        }
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        int[] groups = source.of(pid);
        cache.put(pid, new Entry(groups, now + TTL_NANOS));
        return groups;
    }
}
