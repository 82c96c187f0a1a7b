package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * The calling thread's file-system context: umask, current directory and root, which the threads of
 * a process share (they were created with CLONE_FS). A file server that must create files with
 * exactly the mode its client asked for needs umask 0 — on its own threads only: {@link #unshare()}
 * gives the calling thread a private copy of the context, after which {@link #umask} changes nothing
 * for the rest of the process.
 */
public final class FsContext {
    /** unshare(2): a private copy of the file-system context (allowed in a multi-threaded process). */
    static final int CLONE_FS = 0x200;

    private static final MethodHandle UNSHARE = Libc.function("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UMASK = Libc.function("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private FsContext() {}

    /** unshare(CLONE_FS) for the calling thread: from now on its umask, cwd and root are its own. */
    public static void unshare() throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(s, "unshare(CLONE_FS)", e -> (int) UNSHARE.invokeExact(e, CLONE_FS));
        }
    }

    /**
     * umask(2): sets the file-mode creation mask and returns the previous one. Process-wide unless the
     * thread called {@link #unshare()} first.
     */
    public static int umask(int mask) {
        try (Scratch s = Scratch.acquire()) {
            try {
                return (int) UMASK.invokeExact(s.errnoState(), mask & 0777);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
        }
    }
}
