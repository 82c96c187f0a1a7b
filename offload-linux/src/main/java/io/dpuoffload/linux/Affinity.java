package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * sched_getaffinity(2) and sched_setaffinity(2) on another process, with the CPU mask as raw bytes
 * (the kernel's own layout), as a forwarded call carries it.
 */
public final class Affinity {
    /** The kernel's mask is at most this big (CONFIG_NR_CPUS up to 8192 bits). */
    public static final int MAX_MASK_BYTES = 1024;

    private static final MethodHandle GET =
            Libc.function("sched_getaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SET =
            Libc.function("sched_setaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SYSCALL_GET = Libc.syscall(JAVA_LONG, JAVA_LONG, ADDRESS);

    private Affinity() {}

    /**
     * The raw system call (not glibc's wrapper, which hides it): the mask of {@code pid} in a buffer
     * of {@code size} bytes, of which the kernel fills the first n (its return value).
     */
    public static byte[] get(int pid, int size) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment mask = s.allocate(Math.max(1, Math.min(size, MAX_MASK_BYTES)), 8);
            long n = (long) SYSCALL_GET.invokeExact(
                    s.errnoState(), (long) Seccomp.NR_SCHED_GETAFFINITY, (long) pid, mask.byteSize(), mask);
            if (n < 0) {
                throw new ErrnoException("sched_getaffinity(" + pid + ")", s.errno());
            }
            return mask.asSlice(0, n).toArray(JAVA_BYTE);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    public static void set(int pid, byte[] mask) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment bytes = s.allocate(Math.max(1, mask.length), 8);
            MemorySegment.copy(mask, 0, bytes, JAVA_BYTE, 0, mask.length);
            if ((int) SET.invokeExact(s.errnoState(), pid, (long) mask.length, bytes) != 0) {
                throw new ErrnoException("sched_setaffinity(" + pid + ")", s.errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
