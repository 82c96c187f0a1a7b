package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The linker, the C library's symbols and the shared details of every downcall.
 *
 * <p>Every handle captures {@code errno} with {@link Linker.Option#captureCallState}: the JVM may run code of
 * its own (safepoints, GC barriers, other native calls) between a downcall's return and a second downcall to
 * {@code __errno_location}, so reading errno afterwards is not reliable. The captured value lives in a small
 * segment passed as the handle's first argument (see {@link Scratch#errnoState()}).
 */
final class Libc {
    static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private Libc() {}

    /**
     * A handle to a C library function; its first parameter is the errno capture segment. Making downcall
     * handles is what this module is for: the JVM must run with {@code --enable-native-access}.
     */
    @SuppressWarnings("restricted")
    static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, CAPTURE_ERRNO);
    }

    /** A handle to a variadic C function ({@code openat}, {@code fcntl}, {@code ioctl}). */
    @SuppressWarnings("restricted")
    static MethodHandle variadic(String name, FunctionDescriptor descriptor, int firstVariadicArg) {
        return LINKER.downcallHandle(
                symbol(name), descriptor, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadicArg));
    }

    /**
     * A handle to {@code long syscall(long number, ...)} for calls glibc does not wrap or wraps with other
     * semantics (openat2, faccessat2, setfsuid, setgroups). Integer arguments are passed as {@code long}, as
     * glibc's syscall() reads them; pointers as {@code ADDRESS}, which keeps the segment alive for the call.
     */
    static MethodHandle syscall(MemoryLayout... args) {
        MemoryLayout[] all = new MemoryLayout[args.length + 1];
        all[0] = JAVA_LONG;
        System.arraycopy(args, 0, all, 1, args.length);
        return variadic("syscall", FunctionDescriptor.of(JAVA_LONG, all), 1);
    }

    static int errno(MemorySegment captureState) {
        return (int) ERRNO.get(captureState, 0L);
    }

    /**
     * What a downcall can throw besides our own checks: a wrong handle type or a heap segment passed where
     * native memory is required. Both are programming errors, so they leave unchecked.
     */
    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup()
                .find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError(
                        "the C library has no " + name + " (offload-linux needs glibc 2.33 or newer)"));
    }
}
