package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** eventfd(2): a counter in the kernel that wakes poll, e.g. to stop a thread waiting on /dev/fuse. */
public final class EventFd {
    public static final int EFD_SEMAPHORE = 1;
    public static final int EFD_NONBLOCK = Flags.O_NONBLOCK;
    public static final int EFD_CLOEXEC = Flags.O_CLOEXEC;

    private static final MethodHandle EVENTFD =
            Libc.function("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private EventFd() {}

    public static int eventfd(int initialValue, int flags) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return (int) Downcalls.once(s, "eventfd", e -> (int) EVENTFD.invokeExact(e, initialValue, flags));
        }
    }

    /** Adds {@code value} to the counter (readers wake up). */
    public static void add(int fd, long value) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment v = s.allocate(JAVA_LONG);
            v.set(JAVA_LONG, 0, value);
            FileCalls.write(fd, v);
        }
    }

    /** Takes the counter (or 1 of it, with EFD_SEMAPHORE); waits while it is 0 unless EFD_NONBLOCK (EAGAIN). */
    public static long take(int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment v = s.allocate(JAVA_LONG);
            FileCalls.read(fd, v);
            return v.get(JAVA_LONG, 0);
        }
    }
}
