package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/** NUL-terminated strings in native memory. */
final class CStrings {
    private CStrings() {}

    /** The length up to the first NUL; IllegalArgumentException if the segment holds none. */
    static int length(MemorySegment s) {
        long size = s.byteSize();
        for (long i = 0; i < size; i++) {
            if (s.get(JAVA_BYTE, i) == 0) {
                return (int) i;
            }
        }
        throw new IllegalArgumentException("not a C string: no NUL within " + size + " bytes");
    }

    /** The bytes before the first NUL. */
    static byte[] bytes(MemorySegment s) {
        return s.asSlice(0, length(s)).toArray(JAVA_BYTE);
    }

    /** Checks that {@code s} is a C string the kernel can read without running past the segment. */
    static MemorySegment requireTerminated(MemorySegment s) {
        length(s);
        return s;
    }
}
