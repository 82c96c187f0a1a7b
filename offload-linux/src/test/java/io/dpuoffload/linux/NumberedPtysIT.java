package io.dpuoffload.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pty of a chosen number in a devpts instance of its own (what a VM's console on the DPU is made
 * as, named like QEMU's on the host): the number asked for, unlocked, raw, and refused when taken.
 */
class NumberedPtysIT {
    @TempDir
    Path tmp;

    private final Fds fds = new Fds();
    private String devpts;

    @BeforeAll
    static void root() throws IOException {
        Fds.requireRoot();
    }

    @AfterEach
    void unmount() throws IOException {
        fds.close();
        if (devpts != null) {
            Mounts.umount2(devpts, Mounts.MNT_DETACH);
        }
        assertThat(MountInfo.anyUnder(tmp)).as("a mount left behind").isFalse();
    }

    @Test
    void aPtyOfTheNumberAskedForIsRawUnlockedAndItsNumberThenTaken() throws IOException {
        String pts = java.nio.file.Files.createDirectory(tmp.resolve("pts")).toString();
        Mounts.mount("devpts", pts, "devpts", Mounts.MS_NOSUID | Mounts.MS_NOEXEC, "newinstance,ptmxmode=0666");
        devpts = pts;

        Terminals.Pty pty = Terminals.openNumbered(devpts, 3);
        fds.add(pty.master());
        assertThat(Terminals.ptyIndex(pty.master())).isEqualTo(3);
        assertThat(new String(pty.slavePath(), StandardCharsets.US_ASCII)).isEqualTo(devpts + "/3");
        assertThat(Path.of(devpts, "0")).as("the numbers below were given back").doesNotExist();

        int slave = fds.add(FileCalls.openat(Flags.AT_FDCWD, devpts + "/3", Flags.O_RDWR | Flags.O_NOCTTY, 0));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment line = arena.allocateFrom("abc\n");
            FileCalls.write(pty.master(), line, 4);
            MemorySegment got = arena.allocate(16);
            assertThat(FileCalls.read(slave, got))
                    .as("raw: the bytes as they are, no line to wait for")
                    .isEqualTo(4);
            assertThat(got.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE)).containsExactly('a', 'b', 'c', '\n');
            assertThat(Poll.poll(pty.master(), Poll.POLLIN, 100))
                    .as("no echo comes back to the master")
                    .isZero();
        }

        assertThatThrownBy(() -> Terminals.openNumbered(devpts, 3))
                .isInstanceOfSatisfying(
                        ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY));
    }
}
