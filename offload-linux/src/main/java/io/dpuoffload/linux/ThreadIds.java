package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * The kernel's id of the calling thread ({@code gettid(2)}), as signals aimed at one thread ({@code
 * tgkill}) and fanotify's events ({@link Fanotify#FAN_REPORT_TID}) name it. On a virtual thread, the id
 * of the carrier it runs on now.
 */
public final class ThreadIds {
    private static final MethodHandle GETTID = Libc.function("gettid", FunctionDescriptor.of(JAVA_INT));

    private ThreadIds() {}

    public static int current() {
        try (Scratch s = Scratch.acquire()) {
            return (int) GETTID.invokeExact(s.errnoState());
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
