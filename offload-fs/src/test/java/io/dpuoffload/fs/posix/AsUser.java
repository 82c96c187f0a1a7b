package io.dpuoffload.fs.posix;

import io.dpuoffload.linux.IoCallable;
import io.dpuoffload.linux.ThreadCredentials;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs work as another user: on a fresh platform thread whose file-system ids and supplementary
 * groups are switched for the whole of it, so every system call it makes on the mount reaches
 * FUSE with that uid and gid in the request header (and those groups in /proc/TID/status, where the
 * DPU side reads them).
 */
final class AsUser {
    static final int USER = 1000;
    static final int GROUP = 1000;

    static <T> T call(int uid, int gid, int[] groups, IoCallable<T> work) throws IOException {
        return OnThread.call(() -> ThreadCredentials.callAs(uid, gid, groups, work));
    }

    /** As the unprivileged user 1000:1000 with no supplementary groups. */
    static <T> T call(IoCallable<T> work) throws IOException {
        return call(USER, GROUP, new int[0], work);
    }

    /** Work on a platform thread of its own, which ends with it (credentials, umask, namespaces die with it). */
    static final class OnThread {
        static <T> T call(IoCallable<T> work) throws IOException {
            AtomicReference<T> result = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread thread = Thread.ofPlatform().name("posix-as-user").start(() -> {
                try {
                    result.set(work.call());
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            Throwable t = failure.get();
            if (t instanceof IOException io) {
                throw io;
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            return result.get();
        }

        private OnThread() {}
    }

    private AsUser() {}
}
