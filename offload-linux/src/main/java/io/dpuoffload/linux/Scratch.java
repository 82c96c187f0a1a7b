package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * Native memory for one call: the errno capture state, C strings and small structs.
 *
 * <p>A platform thread reuses one buffer of its own (no allocation, no zeroing per call); a virtual thread,
 * which may move between carriers and may number in the millions, gets a confined arena per call instead, as
 * does a nested use on the same thread. Memory handed out is <em>not</em> zeroed: callers write every field
 * they pass to the kernel. Use with try-with-resources, on one thread.
 */
final class Scratch implements AutoCloseable {
    /** Room for two paths of PATH_MAX (rename, link) plus the structs of one call; more spills to an arena. */
    static final int POOLED_SIZE = 2 * Limits.PATH_MAX + 1024;

    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::pooled);

    private final MemorySegment buffer;
    private final MemorySegment errnoState;
    private final boolean pooled;
    private Arena arena;
    private long used;
    private boolean busy;

    private Scratch(MemorySegment buffer, MemorySegment errnoState, Arena arena, boolean pooled) {
        this.buffer = buffer;
        this.errnoState = errnoState;
        this.arena = arena;
        this.pooled = pooled;
    }

    private static Scratch pooled() {
        // An automatic arena: the buffer is freed when its thread (and so the ThreadLocal) is gone.
        Arena auto = Arena.ofAuto();
        return new Scratch(auto.allocate(POOLED_SIZE, 16), auto.allocate(Libc.CAPTURE_LAYOUT), null, true);
    }

    static Scratch acquire() {
        if (!Thread.currentThread().isVirtual()) {
            Scratch s = PER_THREAD.get();
            if (!s.busy) {
                s.busy = true;
                return s;
            }
        }
        Arena confined = Arena.ofConfined();
        return new Scratch(MemorySegment.NULL, confined.allocate(Libc.CAPTURE_LAYOUT), confined, false);
    }

    /** The segment to pass as a handle's first argument. */
    MemorySegment errnoState() {
        return errnoState;
    }

    /** errno as captured by the last downcall made with {@link #errnoState()}. */
    int errno() {
        return Libc.errno(errnoState);
    }

    MemorySegment allocate(MemoryLayout layout) {
        return allocate(layout.byteSize(), layout.byteAlignment());
    }

    MemorySegment allocate(long size, long alignment) {
        long start = (used + alignment - 1) & -alignment;
        if (start + size <= buffer.byteSize()) {
            used = start + size;
            return buffer.asSlice(start, size);
        }
        if (arena == null) {
            arena = Arena.ofConfined();
        }
        return arena.allocate(size, alignment);
    }

    /** A NUL-terminated copy of {@code bytes}, which must not contain NUL themselves. */
    MemorySegment cString(byte[] bytes) {
        Bytes.requireNoNul(bytes);
        MemorySegment s = allocate(bytes.length + 1L, 1);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        s.set(JAVA_BYTE, bytes.length, (byte) 0);
        return s;
    }

    /** {@link #cString(byte[])}, or NULL for {@code null}. */
    MemorySegment cStringOrNull(byte[] bytes) {
        return bytes == null ? MemorySegment.NULL : cString(bytes);
    }

    @Override
    public void close() {
        if (pooled) {
            used = 0;
            busy = false;
            if (arena != null) {
                arena.close();
                arena = null;
            }
        } else {
            arena.close();
        }
    }
}
