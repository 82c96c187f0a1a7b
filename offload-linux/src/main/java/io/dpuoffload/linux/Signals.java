package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Ending this process the way a child of ours ended: by the same signal, as its parent will see. */
public final class Signals {
    private static final MethodHandle SIGNAL =
            Libc.function("signal", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle KILL = Libc.function("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private Signals() {}

    /**
     * Restores {@code signal}'s default action and sends it to this process, so that our parent's
     * waitpid sees WIFSIGNALED with it. Returns only if the default action does not end a process
     * (WINCH, CHLD, URG; STOP-like signals stop it until continued).
     */
    public static void dieBy(int signal) {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment ignored = (MemorySegment) SIGNAL.invokeExact(s.errnoState(), signal, MemorySegment.NULL);
            int r = (int) KILL.invokeExact(
                    s.errnoState(), (int) ProcessHandle.current().pid(), signal);
            Thread.sleep(1000); // delivery is asynchronous to the other threads
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
