package io.dpuoffload.exec.threads;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Platform threads for the parts of a run that block in native calls (pumping its pipes, reading
 * its client's socket, relaying signals), reused from run to run. Platform, as a blocking native
 * call on a virtual thread pins its carrier (docs/offload-exec.md, "Concurrency and limits"); reused,
 * as a run needs three on each side and starting one is a clone, a stack and the JVM's bookkeeping,
 * on the way of every start and exit. As many as runs need: idle ones end after {@link #IDLE_SECONDS}.
 */
public final class RunThreads {
    private static final Logger log = LoggerFactory.getLogger(RunThreads.class);

    static final long IDLE_SECONDS = 30;

    private static final ExecutorService POOL = new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            IDLE_SECONDS,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            Thread.ofPlatform().daemon().name("exec-run-thread-", 0).factory());

    private RunThreads() {}

    /**
     * Runs {@code task} on a pooled platform thread, named {@code name} while it runs (as a thread of
     * its own would be, for thread dumps and logs). A failure is logged here, as an uncaught
     * exception of a thread of its own would be, and ends the returned future too.
     */
    public static Future<?> start(String name, Runnable task) {
        return POOL.submit(() -> {
            Thread thread = Thread.currentThread();
            String idleName = thread.getName();
            thread.setName(name);
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("{} failed", name, e);
                throw e;
            } finally {
                thread.setName(idleName);
            }
        });
    }
}
