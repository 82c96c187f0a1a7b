package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Starting programs with exact bytes: {@code posix_spawn(3)} with argv and environment as byte
 * strings (not Java strings, so any bytes survive), stdio on given descriptors, every other
 * descriptor closed, default signal dispositions, an empty signal mask and a session of its own.
 *
 * <p>Working directory and umask belong to the calling thread's fs context: call {@link
 * #ownFsContext} once on a dedicated thread, then {@link #chdir} and {@link #umask} there before
 * each spawn, and the rest of the JVM keeps its own.
 */
public final class Spawn {
    private static final int CLONE_FS = 0x200;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    /** glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336; room to spare. */
    private static final int OPAQUE_SIZE = 1024;

    private static final int SIGSET_SIZE = 128;

    private static final MethodHandle UNSHARE = Libc.function("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CHDIR = Libc.function("chdir", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle CHROOT = Libc.function("chroot", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FCHDIR = Libc.function("fchdir", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UMASK = Libc.function("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SPAWN = Libc.function(
            "posix_spawn", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FA_INIT =
            Libc.function("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY =
            Libc.function("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DUP2 = Libc.function(
            "posix_spawn_file_actions_adddup2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_OPEN = Libc.function(
            "posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_CLOSE =
            Libc.function("posix_spawn_file_actions_addclose", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FA_CLOSEFROM = Libc.function(
            "posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT =
            Libc.function("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY =
            Libc.function("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_FLAGS =
            Libc.function("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SIGMASK =
            Libc.function("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SIGDEFAULT =
            Libc.function("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGEMPTYSET =
            Libc.function("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGFILLSET =
            Libc.function("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private Spawn() {}

    /** unshare(CLONE_FS): this thread's working directory and umask become its own. */
    public static void ownFsContext() throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            if ((int) UNSHARE.invokeExact(s.errnoState(), CLONE_FS) != 0) {
                throw new ErrnoException("unshare(CLONE_FS)", s.errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** chdir(2) for this thread's fs context (see {@link #ownFsContext}). */
    public static void chdir(byte[] path) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            if ((int) CHDIR.invokeExact(s.errnoState(), s.cString(path)) != 0) {
                throw new ErrnoException("chdir", s.errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * chroot(2) for this thread's fs context (see {@link #ownFsContext}): paths resolve under {@code
     * path} from now on, for this thread and the programs it starts. The working directory stays.
     */
    public static void chroot(byte[] path) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            if ((int) CHROOT.invokeExact(s.errnoState(), s.cString(path)) != 0) {
                throw new ErrnoException(
                        "chroot " + new String(path, java.nio.charset.StandardCharsets.UTF_8), s.errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** fchdir(2) for this thread's fs context: with {@code chroot(".")} after it, back to a root kept open. */
    public static void fchdir(int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            if ((int) FCHDIR.invokeExact(s.errnoState(), fd) != 0) {
                throw new ErrnoException("fchdir", s.errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** umask(2); returns the previous mask. */
    public static int umask(int mask) {
        try (Scratch s = Scratch.acquire()) {
            return (int) UMASK.invokeExact(s.errnoState(), mask);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * Starts {@code path} with {@code argv} and {@code envp} (exact bytes), its stdin, stdout and
     * stderr on the given descriptors, in a new session. Returns its pid.
     *
     * @throws ErrnoException ENOENT, EACCES, ENOEXEC... as exec reported it
     */
    public static int spawn(byte[] path, byte[][] argv, byte[][] envp, int stdin, int stdout, int stderr)
            throws ErrnoException {
        return spawn(path, argv, envp, stdin, stdout, stderr, new int[0], new int[0]);
    }

    /**
     * As {@link #spawn(byte[], byte[][], byte[][], int, int, int)}, and the child also gets {@code
     * sources[i]} at descriptor {@code targets[i]} (each target above 2); every other descriptor is
     * closed. Each source must be above every target, so no dup2 overwrites a source still to come.
     */
    public static int spawn(
            byte[] path, byte[][] argv, byte[][] envp, int stdin, int stdout, int stderr, int[] targets, int[] sources)
            throws ErrnoException {
        return spawn(path, argv, envp, stdin, stdout, stderr, null, targets, sources);
    }

    /**
     * As above; with {@code terminal} (a pty slave's path) not null, the child opens it as its
     * stdin, stdout and stderr instead, and, being a new session's leader, gets it as its
     * controlling terminal (so ^C, job control and SIGWINCH work as in a login).
     */
    public static int spawn(
            byte[] path,
            byte[][] argv,
            byte[][] envp,
            int stdin,
            int stdout,
            int stderr,
            byte[] terminal,
            int[] targets,
            int[] sources)
            throws ErrnoException {
        return spawn(path, argv, envp, stdin, stdout, stderr, terminal, targets, sources, true);
    }

    /** As above; {@code newSession} false leaves the child in our session (for a helper that makes its own). */
    static int spawn(
            byte[] path,
            byte[][] argv,
            byte[][] envp,
            int stdin,
            int stdout,
            int stderr,
            byte[] terminal,
            int[] targets,
            int[] sources,
            boolean newSession)
            throws ErrnoException {
        int highest = 2;
        for (int target : targets) {
            highest = Math.max(highest, target);
        }
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] <= 2 || sources[i] <= highest) {
                throw new IllegalArgumentException("inherited descriptor " + sources[i] + " -> " + targets[i]
                        + ": targets above 2, sources above every target");
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(OPAQUE_SIZE, 16);
            MemorySegment attr = arena.allocate(OPAQUE_SIZE, 16);
            MemorySegment errno = arena.allocate(Libc.CAPTURE_LAYOUT);
            check((int) FA_INIT.invokeExact(errno, actions), "posix_spawn_file_actions_init");
            check((int) ATTR_INIT.invokeExact(errno, attr), "posix_spawnattr_init");
            try {
                if (terminal != null) {
                    check(
                            (int) FA_OPEN.invokeExact(errno, actions, 0, cString(arena, terminal), Flags.O_RDWR, 0),
                            "addopen");
                    check((int) FA_DUP2.invokeExact(errno, actions, 0, 1), "adddup2");
                    check((int) FA_DUP2.invokeExact(errno, actions, 0, 2), "adddup2");
                } else {
                    check((int) FA_DUP2.invokeExact(errno, actions, stdin, 0), "adddup2");
                    check((int) FA_DUP2.invokeExact(errno, actions, stdout, 1), "adddup2");
                    check((int) FA_DUP2.invokeExact(errno, actions, stderr, 2), "adddup2");
                }
                java.util.BitSet inherited = new java.util.BitSet();
                for (int i = 0; i < targets.length; i++) {
                    check((int) FA_DUP2.invokeExact(errno, actions, sources[i], targets[i]), "adddup2");
                    inherited.set(targets[i]);
                }
                for (int fd = 3; fd <= highest; fd++) {
                    if (!inherited.get(fd)) {
                        check((int) FA_CLOSE.invokeExact(errno, actions, fd), "addclose"); // unopened: ignored
                    }
                }
                check((int) FA_CLOSEFROM.invokeExact(errno, actions, highest + 1), "addclosefrom_np");
                MemorySegment none = arena.allocate(SIGSET_SIZE, 8);
                MemorySegment all = arena.allocate(SIGSET_SIZE, 8);
                int ignored = (int) SIGEMPTYSET.invokeExact(errno, none);
                ignored = (int) SIGFILLSET.invokeExact(errno, all);
                check((int) ATTR_SIGMASK.invokeExact(errno, attr, none), "setsigmask");
                check((int) ATTR_SIGDEFAULT.invokeExact(errno, attr, all), "setsigdefault");
                check(
                        (int) ATTR_FLAGS.invokeExact(errno, attr, (short) (POSIX_SPAWN_SETSIGDEF
                                | POSIX_SPAWN_SETSIGMASK
                                | (newSession ? POSIX_SPAWN_SETSID : 0))),
                        "setflags");
                MemorySegment pid = arena.allocate(JAVA_INT);
                int r = (int) SPAWN.invokeExact(
                        errno, pid, cString(arena, path), actions, attr, strings(arena, argv), strings(arena, envp));
                if (r != 0) {
                    throw new ErrnoException("posix_spawn " + new String(path), r);
                }
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(errno, actions);
                ignored = (int) ATTR_DESTROY.invokeExact(errno, attr);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private static void check(int r, String call) throws ErrnoException {
        if (r != 0) {
            throw new ErrnoException(call, r);
        }
    }

    private static MemorySegment cString(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length + 1L, 1);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s;
    }

    /** A NULL-terminated array of C strings. */
    private static MemorySegment strings(Arena arena, byte[][] values) {
        MemorySegment array = arena.allocate(ADDRESS.byteSize() * (values.length + 1L), 8);
        for (int i = 0; i < values.length; i++) {
            array.setAtIndex(ADDRESS, i, cString(arena, values[i]));
        }
        array.setAtIndex(ADDRESS, values.length, MemorySegment.NULL);
        return array;
    }
}
