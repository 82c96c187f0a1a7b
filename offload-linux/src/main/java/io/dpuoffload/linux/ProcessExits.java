package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Waiting for a child through its pidfd, and signalling processes and process groups. */
public final class ProcessExits {
    private static final int P_PIDFD = 3;
    private static final int WEXITED = 4;
    private static final int CLD_EXITED = 1;
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;

    private static final MethodHandle WAITID =
            Libc.function("waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle KILL = Libc.function("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle TGKILL = Libc.syscall(JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PIDFD_SEND_SIGNAL = Libc.syscall(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG);

    private ProcessExits() {}

    /** How a process ended: its exit code, or the signal that killed it. */
    public record Exit(boolean signalled, int value) {
        /** The shell's convention: the code, or 128 + the signal. */
        public int asShellStatus() {
            return signalled ? 128 + value : value;
        }
    }

    /**
     * Blocks until the child behind {@code pidfd} ends, and reaps it. On a virtual thread the wait
     * holds no carrier (see {@link BlockingCalls}): a host waits for hundreds of programs at once.
     */
    public static Exit await(int pidfd) throws ErrnoException {
        return BlockingCalls.call(() -> awaitHere(pidfd));
    }

    private static Exit awaitHere(int pidfd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment info = s.allocate(128, 8);
            while (true) {
                info.fill((byte) 0);
                int r = (int) WAITID.invokeExact(s.errnoState(), P_PIDFD, pidfd, info, WEXITED);
                if (r == 0) {
                    int code = info.get(JAVA_INT, 8);
                    int status = info.get(JAVA_INT, 24);
                    return new Exit(code != CLD_EXITED, status);
                }
                if (s.errno() != Errno.EINTR) {
                    throw new ErrnoException("waitid(P_PIDFD)", s.errno());
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** pidfd_send_signal(2): signals exactly that process, even if its pid was reused. 0 or -errno. */
    public static int signal(int pidfd, int signal) {
        try (Scratch s = Scratch.acquire()) {
            long r = (long) PIDFD_SEND_SIGNAL.invokeExact(
                    s.errnoState(), SYS_PIDFD_SEND_SIGNAL, (long) pidfd, (long) signal, MemorySegment.NULL, 0L);
            return r == 0 ? 0 : -s.errno();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private static final int P_PID = 1;
    private static final int WNOHANG = 1;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final MethodHandle PRCTL = Libc.variadic(
            "prctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);

    /**
     * Makes this process a child subreaper: orphaned descendants become its children (rather than
     * init's), so it can reap them itself.
     */
    public static void becomeSubreaper() throws ErrnoException {
        setSubreaper(true);
    }

    /** Ends {@link #becomeSubreaper}: orphaned descendants go to init (or an outer subreaper) again. */
    public static void stopBeingSubreaper() throws ErrnoException {
        setSubreaper(false);
    }

    private static void setSubreaper(boolean on) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            if ((int) PRCTL.invokeExact(s.errnoState(), PR_SET_CHILD_SUBREAPER, on ? 1L : 0L, 0L, 0L, 0L) != 0) {
                throw new ErrnoException("prctl(PR_SET_CHILD_SUBREAPER)", s.errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * Waits for child {@code pid} to end, and reaps it. For a child about to exit by itself (a helper
     * that has said what it had to): it blocks the calling thread meanwhile.
     */
    public static void reap(int pid) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment info = s.allocate(128, 8);
            while ((int) WAITID.invokeExact(s.errnoState(), P_PID, pid, info, WEXITED) != 0) {
                if (s.errno() != Errno.EINTR) {
                    throw new ErrnoException("waitid(P_PID " + pid + ")", s.errno());
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** Reaps child {@code pid} if it has exited (a zombie); true when it was reaped. */
    public static boolean reapIfExited(int pid) {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment info = s.allocate(128, 8);
            info.fill((byte) 0);
            int r = (int) WAITID.invokeExact(s.errnoState(), P_PID, pid, info, WEXITED | WNOHANG);
            return r == 0 && info.get(JAVA_INT, 16) == pid; // si_pid: 0 when it has not exited yet
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** tgkill(2): a signal to thread {@code tid} of process {@code tgid}. 0 or -errno. */
    public static int tgkill(int tgid, int tid, int signal) {
        try (Scratch s = Scratch.acquire()) {
            long r = (long) TGKILL.invokeExact(
                    s.errnoState(), (long) Seccomp.NR_TGKILL, (long) tgid, (long) tid, (long) signal);
            return r == 0 ? 0 : -s.errno();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** kill(2) of one process by pid. 0 or -errno. */
    public static int kill(int pid, int signal) {
        try (Scratch s = Scratch.acquire()) {
            return (int) KILL.invokeExact(s.errnoState(), pid, signal) == 0 ? 0 : -s.errno();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** kill(2) of a whole process group. 0 or -errno (ESRCH when none is left). */
    public static int signalGroup(int pgid, int signal) {
        try (Scratch s = Scratch.acquire()) {
            return (int) KILL.invokeExact(s.errnoState(), -pgid, signal) == 0 ? 0 : -s.errno();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
