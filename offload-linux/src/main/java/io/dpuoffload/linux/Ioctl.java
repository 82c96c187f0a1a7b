package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** ioctl(2) with a pointer argument, for the classes here that each speak a device's few requests. */
final class Ioctl {
    private static final MethodHandle IOCTL =
            Libc.variadic("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);

    private Ioctl() {}

    /** {@code ioctl(fd, request, argument)}: its result, or an ErrnoException that names {@code request}. */
    static int call(Scratch s, int fd, long request, MemorySegment argument, String name) throws ErrnoException {
        return (int) Downcalls.once(s, "ioctl(" + name + ")", e -> (int) IOCTL.invokeExact(e, fd, request, argument));
    }

    /** The same, for a caller that only asks whether it succeeded. */
    static boolean succeeds(Scratch s, int fd, long request, MemorySegment argument) {
        return Downcalls.onceOrErrno(s, e -> (int) IOCTL.invokeExact(e, fd, request, argument)) >= 0;
    }
}
