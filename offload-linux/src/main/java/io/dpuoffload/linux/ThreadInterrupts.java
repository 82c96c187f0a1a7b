package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Ends a system call another thread of this process waits in (a fifo's open, read or write), the way
 * a signal ends a program's: the thread gets a signal whose handler does nothing and that has no
 * SA_RESTART, so the call returns EINTR, and the retry loops of this module ({@link FileCalls},
 * {@link Poll}) let EINTR through on a thread that was interrupted instead of waiting again. This is
 * libfuse's answer to FUSE_INTERRUPT too (its {@code intr_signal}).
 *
 * <p>The handler is glibc's {@code getpid}: a C function is needed (Java code must not run in a signal
 * handler), getpid is async-signal-safe, ignores the signal number it is passed and never touches
 * errno, which the interrupted code may be about to read.
 *
 * <p>Use: the waiting thread calls {@link #enter} before its call and {@link Call#close} after; another
 * thread calls {@link Call#interrupt}, which signals only while the call is still running.
 */
public final class ThreadInterrupts {
    /**
     * SIGRTMIN + 7: a real-time signal nothing else in this process uses (the JVM uses none; glibc
     * keeps the two below SIGRTMIN for itself, and libraries that take one take the first).
     */
    private static final int OFFSET_FROM_SIGRTMIN = 7;

    private static final MethodHandle SIGNAL =
            Libc.function("signal", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle SIGINTERRUPT =
            Libc.function("siginterrupt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SIGRTMIN =
            Libc.function("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPID = Libc.function("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle TGKILL =
            Libc.function("tgkill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));

    private static final ThreadLocal<Call> CURRENT = new ThreadLocal<>();
    private static volatile int signal;

    private ThreadInterrupts() {}

    /** One call that may be interrupted, on the thread that makes it. */
    public static final class Call implements AutoCloseable {
        private final int tid;
        private final Call outer;
        private volatile boolean interrupted;
        private boolean done; // guarded by this
        private boolean signalled; // guarded by this

        private Call(int tid, Call outer) {
            this.tid = tid;
            this.outer = outer;
        }

        /**
         * From another thread: ends the call with EINTR if it is still running (true), or does nothing
         * once it is over (false). A signal that lands just before the thread enters its system call
         * is lost, as for any program: call again until false, a few milliseconds apart.
         */
        public synchronized boolean interrupt() throws ErrnoException {
            interrupted = true;
            if (done) {
                return false;
            }
            tgkill(tid, signal);
            signalled = true;
            return true;
        }

        public boolean interrupted() {
            return interrupted;
        }

        /** After the call: no signal comes any more, and one still pending is taken here, not by the next call. */
        @Override
        public void close() {
            boolean flush;
            synchronized (this) {
                done = true;
                flush = signalled;
            }
            CURRENT.set(outer);
            if (flush) {
                // A signal sent while the thread ran in user space is pending until its next return
                // from the kernel: this system call's, so that it cannot end a later call.
                getpid();
            }
        }
    }

    /** Marks the start of an interruptible call on this (platform) thread. */
    public static Call enter() throws ErrnoException {
        installHandler();
        Call call = new Call(ThreadIds.current(), CURRENT.get());
        CURRENT.set(call);
        return call;
    }

    /** For the retry loops: whether EINTR should be retried here (true), or end the call (an interrupt asked for it). */
    static boolean retries(int errno) {
        if (errno != Errno.EINTR) {
            return false;
        }
        Call call = CURRENT.get();
        return call == null || !call.interrupted;
    }

    private static void installHandler() throws ErrnoException {
        if (signal != 0) {
            return;
        }
        synchronized (ThreadInterrupts.class) {
            if (signal != 0) {
                return;
            }
            try (Scratch s = Scratch.acquire()) {
                int number = (int) SIGRTMIN.invokeExact(s.errnoState()) + OFFSET_FROM_SIGRTMIN;
                MemorySegment handler =
                        Libc.LINKER.defaultLookup().find("getpid").orElseThrow();
                MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(s.errnoState(), number, handler);
                if (previous.address() == -1L) { // SIG_ERR
                    throw new ErrnoException("signal", s.errno());
                }
                // signal() installs BSD semantics (SA_RESTART); the signal must end the call instead.
                if ((int) SIGINTERRUPT.invokeExact(s.errnoState(), number, 1) != 0) {
                    throw new ErrnoException("siginterrupt", s.errno());
                }
                signal = number;
            } catch (ErrnoException e) {
                throw e;
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
        }
    }

    private static void getpid() {
        try (Scratch s = Scratch.acquire()) {
            int ignored = (int) GETPID.invokeExact(s.errnoState());
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private static void tgkill(int tid, int number) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            int pid = (int) ProcessHandle.current().pid();
            if ((int) TGKILL.invokeExact(s.errnoState(), pid, tid, number) != 0) {
                throw new ErrnoException("tgkill", s.errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
