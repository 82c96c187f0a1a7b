package io.dpuoffload.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/** Descriptors a test opened, closed at the end; and small helpers the integration tests share. */
final class Fds implements AutoCloseable {
    private final Deque<Integer> open = new ArrayDeque<>();

    int add(int fd) {
        open.push(fd);
        return fd;
    }

    /** A directory descriptor for {@code dir}, as a file server holds for an export root. */
    int dir(Path dir) throws ErrnoException {
        return add(FileCalls.openat(
                Flags.AT_FDCWD, dir.toString(), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0));
    }

    int open(int dirfd, String path, int flags) throws ErrnoException {
        return add(FileCalls.openat(dirfd, path, flags | Flags.O_CLOEXEC, 0644));
    }

    void close(int fd) throws ErrnoException {
        open.remove(fd);
        FileCalls.close(fd);
    }

    @Override
    public void close() {
        while (!open.isEmpty()) {
            try {
                FileCalls.close(open.pop());
            } catch (ErrnoException e) {
                // already closed by the test itself
            }
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static MemorySegment segment(Arena arena, String s) {
        return arena.allocateFrom(s).asSlice(0, bytes(s).length);
    }

    static String string(MemorySegment s, int length) {
        return new String(
                s.asSlice(0, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Integration tests run as root (CI does); say so plainly instead of failing with EPERM deep inside. */
    static void requireRoot() throws IOException {
        assertThat((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
                .as(
                        "offload-linux integration tests need root (CAP_SYS_ADMIN, CAP_SETUID, CAP_MKNOD): run them as root")
                .isZero();
    }
}
