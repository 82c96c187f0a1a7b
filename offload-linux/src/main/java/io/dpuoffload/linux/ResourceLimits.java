package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** getrlimit(2)/setrlimit(2) of RLIMIT_NOFILE: how many descriptors this process may hold. */
public final class ResourceLimits {
    private static final int RLIMIT_NOFILE = 7;

    private static final MethodHandle GETRLIMIT =
            Libc.function("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SETRLIMIT =
            Libc.function("setrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    /**
     * A limit pair; {@code Long.MAX_VALUE} and above (RLIM_INFINITY, all ones) read as unlimited.
     *
     * @param soft what the kernel enforces (EMFILE at an fd number this high)
     * @param hard how far the soft limit may be raised without privilege
     */
    public record Limit(long soft, long hard) {}

    private ResourceLimits() {}

    public static Limit openFiles() throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment limit = s.allocate(16, 8);
            Downcalls.once(s, "getrlimit(RLIMIT_NOFILE)", e -> (int) GETRLIMIT.invokeExact(e, RLIMIT_NOFILE, limit));
            return new Limit(unsigned(limit.get(JAVA_LONG, 0)), unsigned(limit.get(JAVA_LONG, 8)));
        }
    }

    /** Sets this process's RLIMIT_NOFILE (lowering the hard limit cannot be undone without CAP_SYS_RESOURCE). */
    public static void setOpenFiles(Limit wanted) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment limit = s.allocate(16, 8);
            limit.set(JAVA_LONG, 0, wanted.soft());
            limit.set(JAVA_LONG, 8, wanted.hard());
            Downcalls.once(s, "setrlimit(RLIMIT_NOFILE)", e -> (int) SETRLIMIT.invokeExact(e, RLIMIT_NOFILE, limit));
        }
    }

    private static long unsigned(long value) {
        return value < 0 ? Long.MAX_VALUE : value;
    }
}
