package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * File locks: whole-file {@code flock(2)} locks and byte-range locks through {@code fcntl(2)}, both the
 * classic process-owned POSIX kind ({@link #F_SETLK}…) and the open-file-description kind ({@link
 * #F_OFD_SETLK}…, Linux 3.15).
 *
 * <p>For a server that locks on behalf of many remote owners, OFD locks are the ones that fit: POSIX locks
 * belong to the whole process (every thread of this JVM is one owner, and closing <em>any</em> descriptor of
 * the file drops them all), OFD locks belong to the open file description. The two kinds conflict with each
 * other. Blocking requests ({@link #F_SETLKW}, {@link #F_OFD_SETLKW}, flock without LOCK_NB) are <em>not</em>
 * retried on EINTR, so a signal can end a wait; they block an OS thread (a virtual thread pins its carrier).
 */
public final class Locks {
    public static final int LOCK_SH = 1;
    public static final int LOCK_EX = 2;
    /** Or-ed with LOCK_SH/LOCK_EX: fail with EWOULDBLOCK instead of waiting. */
    public static final int LOCK_NB = 4;

    public static final int LOCK_UN = 8;

    public static final int F_RDLCK = 0;
    public static final int F_WRLCK = 1;
    public static final int F_UNLCK = 2;

    public static final int F_GETLK = 5;
    public static final int F_SETLK = 6;
    public static final int F_SETLKW = 7;
    public static final int F_OFD_GETLK = 36;
    public static final int F_OFD_SETLK = 37;
    public static final int F_OFD_SETLKW = 38;

    /** struct flock of 64-bit Linux: short type, short whence, off_t start, off_t len, pid_t pid; 32 bytes. */
    static final StructLayout FLOCK = MemoryLayout.structLayout(
            JAVA_SHORT.withName("l_type"),
            JAVA_SHORT.withName("l_whence"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("l_start"),
            JAVA_LONG.withName("l_len"),
            JAVA_INT.withName("l_pid"),
            MemoryLayout.paddingLayout(4));

    private static final MethodHandle FLOCK_CALL =
            Libc.function("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCNTL_PTR =
            Libc.variadic("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), 2);

    private Locks() {}

    /** flock(2): {@link #LOCK_SH}, {@link #LOCK_EX} or {@link #LOCK_UN}, optionally with {@link #LOCK_NB}. */
    public static void flock(int fd, int operation) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(s, "flock", e -> (int) FLOCK_CALL.invokeExact(e, fd, operation));
        }
    }

    /**
     * {@link #F_GETLK} or {@link #F_OFD_GETLK}: the first lock that would conflict with {@code probe}, or
     * {@code probe} with type {@link #F_UNLCK} if none would. A process never conflicts with its own POSIX
     * locks, so F_GETLK only sees other processes' locks (and OFD locks).
     */
    public static RecordLock getLock(int fd, int cmd, RecordLock probe) throws ErrnoException {
        if (cmd != F_GETLK && cmd != F_OFD_GETLK) {
            throw new IllegalArgumentException("getLock takes F_GETLK or F_OFD_GETLK, not " + cmd);
        }
        try (Scratch s = Scratch.acquire()) {
            MemorySegment fl = s.allocate(FLOCK);
            write(fl, probe);
            call(s, fd, cmd, fl);
            return new RecordLock(
                    fl.get(JAVA_SHORT, 0),
                    fl.get(JAVA_SHORT, 2),
                    fl.get(JAVA_LONG, 8),
                    fl.get(JAVA_LONG, 16),
                    fl.get(JAVA_INT, 24));
        }
    }

    /**
     * {@link #F_SETLK}/{@link #F_OFD_SETLK} (EAGAIN or EACCES on conflict) or {@link #F_SETLKW}/{@link
     * #F_OFD_SETLKW} (wait; EDEADLK for a POSIX deadlock, EINTR on a signal). Type {@link #F_UNLCK} unlocks.
     */
    public static void setLock(int fd, int cmd, RecordLock lock) throws ErrnoException {
        if (cmd != F_SETLK && cmd != F_SETLKW && cmd != F_OFD_SETLK && cmd != F_OFD_SETLKW) {
            throw new IllegalArgumentException("setLock takes F_SETLK(W) or F_OFD_SETLK(W), not " + cmd);
        }
        try (Scratch s = Scratch.acquire()) {
            MemorySegment fl = s.allocate(FLOCK);
            write(fl, lock);
            call(s, fd, cmd, fl);
        }
    }

    private static void write(MemorySegment fl, RecordLock lock) {
        fl.fill((byte) 0);
        fl.set(JAVA_SHORT, 0, (short) lock.type());
        fl.set(JAVA_SHORT, 2, (short) lock.whence());
        fl.set(JAVA_LONG, 8, lock.start());
        fl.set(JAVA_LONG, 16, lock.length());
        fl.set(JAVA_INT, 24, 0); // OFD commands require l_pid == 0; POSIX ones ignore it
    }

    private static void call(Scratch s, int fd, int cmd, MemorySegment fl) throws ErrnoException {
        long r = Downcalls.onceOrErrno(s, e -> (int) FCNTL_PTR.invokeExact(e, fd, cmd, fl));
        if (r < 0) {
            throw new ErrnoException("fcntl(" + commandName(cmd) + ")", (int) -r);
        }
    }

    static String commandName(int cmd) {
        return switch (cmd) {
            case F_GETLK -> "F_GETLK";
            case F_SETLK -> "F_SETLK";
            case F_SETLKW -> "F_SETLKW";
            case F_OFD_GETLK -> "F_OFD_GETLK";
            case F_OFD_SETLK -> "F_OFD_SETLK";
            case F_OFD_SETLKW -> "F_OFD_SETLKW";
            default -> String.valueOf(cmd);
        };
    }
}
