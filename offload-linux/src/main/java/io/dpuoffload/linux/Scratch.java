package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Native memory for one call: the errno capture state, C strings and small structs.
 *
 * <p>A platform thread reuses one buffer of its own, found through a ThreadLocal. Virtual threads (which may
 * number in the millions, so a buffer each would not do) and nested uses take one from a small shared pool
 * and put it back afterwards; only when the pool is empty is a new buffer made. No call allocates native
 * memory or zeroes it, except for what does not fit in a buffer, which spills to a confined arena closed at
 * the end of the call. Memory handed out is <em>not</em> zeroed: callers write every field they pass to the
 * kernel. Use with try-with-resources, on one thread.
 */
final class Scratch implements AutoCloseable {
    /** Room for two paths of PATH_MAX (rename, link) plus the structs of one call; more spills to an arena. */
    static final int BUFFER_SIZE = 2 * Limits.PATH_MAX + 1024;

    /**
     * Buffers kept for virtual threads. A buffer is held only for the length of one call, and a virtual
     * thread in a downcall pins its carrier, so about one per carrier is in use at a time; a few times the
     * processor count leaves room for platform threads' nested calls. Beyond it, buffers are made and dropped.
     */
    static final int SHARED_SLOTS = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());

    /** The errno capture state sits at the start of each buffer; allocations begin after it. */
    private static final long FIRST = (Libc.CAPTURE_LAYOUT.byteSize() + 15) & -16;

    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(() -> new Scratch(false));
    private static final AtomicReferenceArray<Scratch> SHARED = new AtomicReferenceArray<>(SHARED_SLOTS);

    private final MemorySegment buffer;
    private final MemorySegment errnoState;
    private final boolean shared;
    private Arena overflow;
    private long used = FIRST;
    private boolean busy;

    private Scratch(boolean shared) {
        // An automatic arena: the buffer is freed once its thread (ThreadLocal) or the pool lets go of it.
        this.buffer = Arena.ofAuto().allocate(BUFFER_SIZE, 16);
        this.errnoState = buffer.asSlice(0, Libc.CAPTURE_LAYOUT.byteSize());
        this.shared = shared;
    }

    static Scratch acquire() {
        Thread thread = Thread.currentThread();
        if (!thread.isVirtual()) {
            Scratch s = PER_THREAD.get();
            if (!s.busy) {
                s.busy = true;
                return s;
            }
        }
        int start = (int) (thread.threadId() % SHARED_SLOTS);
        for (int i = 0; i < SHARED_SLOTS; i++) {
            int slot = (start + i) % SHARED_SLOTS;
            Scratch s = SHARED.get(slot);
            if (s != null && SHARED.compareAndSet(slot, s, null)) {
                s.busy = true;
                return s;
            }
        }
        Scratch s = new Scratch(true);
        s.busy = true;
        return s;
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
        if (overflow == null) {
            overflow = Arena.ofConfined();
        }
        return overflow.allocate(size, alignment);
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
        if (overflow != null) {
            overflow.close();
            overflow = null;
        }
        used = FIRST;
        busy = false;
        if (shared) {
            int start = (int) (Thread.currentThread().threadId() % SHARED_SLOTS);
            for (int i = 0; i < SHARED_SLOTS; i++) {
                int slot = (start + i) % SHARED_SLOTS;
                if (SHARED.get(slot) == null && SHARED.compareAndSet(slot, null, this)) {
                    return;
                }
            }
            // the pool is full: drop this one (its automatic arena frees the memory)
        }
    }
}
