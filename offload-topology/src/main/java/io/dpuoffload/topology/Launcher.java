package io.dpuoffload.topology;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts every node process from one long-lived platform thread.
 *
 * <p>Node processes run under {@code setpriv --pdeathsig KILL}, so they die when this JVM dies, even by SIGKILL,
 * when no shutdown hook runs. But the kernel sends the parent-death signal when the <em>thread</em> that spawned the
 * process ends, not the process: spawned from a test's thread, a pool thread or a virtual thread's carrier, a node
 * process would be killed as soon as that thread finished. This thread never ends before the JVM does.
 */
final class Launcher {

    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(
            task -> Thread.ofPlatform().daemon().name("dpuo-launcher").unstarted(task));

    private Launcher() {}

    static Process start(ProcessBuilder builder) throws IOException {
        try {
            // submit, not execute: a failing start must not end the thread (its replacement would orphan the
            // processes the first one started from their parent-death signal).
            return THREAD.submit(builder::start).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + builder.command(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start " + builder.command(), e.getCause());
        }
    }
}
