package io.dpuoffload.fs.host.watch;

import io.dpuoffload.linux.ThreadIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The threads of this process that run file operations for a DPU. A change one of them makes is
 * the DPU's own: its kernel already knows it, and telling it again would only make it drop what it
 * has just cached. fanotify reports the thread that made each change (FAN_REPORT_TID), and events
 * of these threads are not sent on.
 *
 * <p>Threads, not the process: other threads of the same JVM (another service, a test writing the
 * exported directory) change files as any host program does, and their changes must be sent.
 */
public final class ServerThreads {
    private static final Set<Integer> TIDS = ConcurrentHashMap.newKeySet();
    private static final ThreadLocal<Boolean> ENROLLED = ThreadLocal.withInitial(() -> false);

    private ServerThreads() {}

    /** Called by every thread before it runs an operation for the DPU; a thread-local check after the first time. */
    public static void enroll() {
        if (!ENROLLED.get()) {
            TIDS.add(ThreadIds.current());
            ENROLLED.set(true);
        }
    }

    static boolean isServer(int tid) {
        return TIDS.contains(tid);
    }

    /**
     * Forgets threads that have ended (pool threads end when idle), so that a host program's thread
     * that is later given the same id is not taken for ours.
     */
    static void forgetEnded() {
        TIDS.removeIf(tid -> !Files.exists(Path.of("/proc/self/task/" + tid)));
    }
}
