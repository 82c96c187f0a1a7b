package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void aPlatformThreadReusesItsBuffer() {
        long first;
        try (Scratch s = Scratch.acquire()) {
            first = s.allocate(16, 8).address();
        }
        try (Scratch s = Scratch.acquire()) {
            assertThat(s.allocate(16, 8).address()).isEqualTo(first);
        }
    }

    @Test
    void nestedUseGetsItsOwnMemory() {
        try (Scratch outer = Scratch.acquire()) {
            MemorySegment a = outer.allocate(16, 8);
            try (Scratch inner = Scratch.acquire()) {
                MemorySegment b = inner.allocate(16, 8);
                assertThat(b.address()).isNotEqualTo(a.address());
                assertThat(inner.errnoState().address())
                        .isNotEqualTo(outer.errnoState().address());
            }
        }
    }

    @Test
    void largeAllocationsSpillOverAndAlign() {
        try (Scratch s = Scratch.acquire()) {
            s.allocate(3, 1);
            MemorySegment aligned = s.allocate(8, 8);
            assertThat(aligned.address() % 8).isZero();
            MemorySegment big = s.allocate(Scratch.BUFFER_SIZE * 2L, 16);
            assertThat(big.byteSize()).isEqualTo(Scratch.BUFFER_SIZE * 2L);
            big.set(JAVA_BYTE, big.byteSize() - 1, (byte) 1);
        }
    }

    @Test
    void cStringsAreTerminatedAndRefuseEmbeddedNul() {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment c = s.cString("a/b".getBytes(StandardCharsets.UTF_8));
            assertThat(c.byteSize()).isEqualTo(4);
            assertThat(c.get(JAVA_BYTE, 3)).isZero();
            assertThat(CStrings.bytes(c)).isEqualTo("a/b".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> s.cString(new byte[] {'a', 0, 'b'}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("NUL");
            assertThat(s.cStringOrNull(null)).isEqualTo(MemorySegment.NULL);
        }
    }

    @Test
    void aCStringWithoutNulIsRefused() {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment notTerminated = s.allocate(3, 1).fill((byte) 'x');
            assertThatThrownBy(() -> CStrings.requireTerminated(notTerminated))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void virtualThreadsShareAPoolOfBuffers() throws Exception {
        java.util.Set<Long> addresses = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 100; i++) {
            Thread.ofVirtual()
                    .start(() -> addresses.add(addressOfOneAllocation()))
                    .join();
        }
        // one buffer per virtual thread would give 100; the pool hands the few it has out again
        assertThat(addresses).hasSizeLessThanOrEqualTo(4);
    }

    @Test
    void spillOverMemoryIsFreedAtClose() {
        MemorySegment big;
        try (Scratch s = Scratch.acquire()) {
            big = s.allocate(Scratch.BUFFER_SIZE + 1L, 8);
        }
        assertThat(big.scope().isAlive()).isFalse();
    }

    private static long addressOfOneAllocation() {
        try (Scratch s = Scratch.acquire()) {
            return s.allocate(8, 8).address();
        }
    }
}
