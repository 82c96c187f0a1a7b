package io.dpuoffload.exec.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dpuoffload.linux.CgroupSpawn;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.ProcessExits;
import io.dpuoffload.linux.Terminals;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Programs born in their run's cgroup through the helper, with no process moved: what a run relies
 * on is that the program is in the cgroup from its first instruction, is our child, leads a session
 * of its own (with its terminal as the controlling one), and that a program that cannot be executed
 * is an error, as with posix_spawn.
 */
class CgroupSpawnIT {
    private RunCgroups cgroups;
    private RunCgroups.Prepared group;
    private CgroupSpawn helper;
    private int cgroupDir = -1;

    @BeforeEach
    void prepare() throws Exception {
        cgroups = RunCgroups.discover();
        assumeTrue(cgroups.available(), "no writable cgroup v2 hierarchy here (needs root)");
        group = cgroups.prepare().orElseThrow();
        helper = CgroupSpawnHelper.load().orElseThrow(() -> new AssertionError("the helper did not load"));
        cgroupDir = FileCalls.openat(
                Flags.AT_FDCWD, group.group().toString(), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
    }

    @AfterEach
    void cleanUp() {
        FileCalls.closeQuietly(cgroupDir);
        if (helper != null) {
            helper.close();
        }
        if (group != null) {
            group.abandon();
        }
        if (cgroups != null) {
            cgroups.close();
        }
    }

    @Test
    void theProgramIsBornInTheCgroupAsOurChildLeadingASession() throws Exception {
        int[] out = FileCalls.pipe2(Flags.O_CLOEXEC);
        int pid;
        try {
            pid = helper.spawn(
                    cgroupDir,
                    bytes("/bin/sh"),
                    argv("sh", "-c", "cat /proc/self/cgroup; cat /proc/$$/stat"),
                    new byte[0][],
                    out[1],
                    out[1],
                    out[1],
                    -1,
                    new int[0],
                    new int[0]);
        } finally {
            FileCalls.closeQuietly(out[1]);
        }
        String output = readAll(out[0]);
        ProcessExits.reap(pid); // fails with ECHILD unless it is our child

        String cgroupLine =
                output.lines().filter(l -> l.startsWith("0::")).findFirst().orElseThrow();
        assertThat(cgroupLine).endsWith("/" + group.group().getFileName());
        String[] stat = statFields(
                output.lines().filter(l -> l.startsWith(pid + " (")).findFirst().orElseThrow());
        assertThat(Integer.parseInt(stat[3])).as("session of the program").isEqualTo(pid);
        assertThat(Integer.parseInt(stat[4])).as("no controlling terminal").isZero();
    }

    @Test
    void withATerminalTheProgramHasItAsItsControllingTerminal() throws Exception {
        var pty = Terminals.open(new Terminals.WindowSize(24, 80));
        int slave =
                FileCalls.openat(Flags.AT_FDCWD, pty.slavePath(), Flags.O_RDWR | Flags.O_NOCTTY | Flags.O_CLOEXEC, 0);
        int pid;
        try {
            pid = helper.spawn(
                    cgroupDir,
                    bytes("/bin/cat"),
                    argv("cat", "/proc/self/stat"),
                    new byte[0][],
                    -1,
                    -1,
                    -1,
                    slave,
                    new int[0],
                    new int[0]);
        } finally {
            FileCalls.closeQuietly(slave);
        }
        ProcessExits.reap(pid);
        String output = readAll(pty.master());
        FileCalls.closeQuietly(pty.master());
        String[] stat = statFields(output.strip());
        assertThat(Integer.parseInt(stat[3])).as("session").isEqualTo(pid);
        assertThat(Integer.parseInt(stat[4]))
                .as("controlling terminal (tty_nr)")
                .isNotZero();
    }

    @Test
    void aProgramThatCannotBeExecutedIsAnErrorAndLeavesNoProcess() throws Exception {
        assertThatThrownBy(() -> helper.spawn(
                        cgroupDir,
                        bytes("/no/such/program"),
                        argv("x"),
                        new byte[0][],
                        0,
                        1,
                        2,
                        -1,
                        new int[0],
                        new int[0]))
                .isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errno.ENOENT));
        assertThat(RunCgroups.pids(group.group())).isEmpty();
    }

    @Test
    void theSpawnerStartsProgramsBornInTheirCgroupsOnThisKernel() throws Exception {
        try (Spawner spawner = new Spawner()) {
            assertThat(spawner.startsBornInCgroups()).isTrue();
        }
    }

    /** The fields of /proc/PID/stat after the command: [0] state, [1] ppid, [2] pgrp, [3] session, [4] tty_nr. */
    private static String[] statFields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[][] argv(String... args) {
        return List.of(args).stream().map(CgroupSpawnIT::bytes).toArray(byte[][]::new);
    }

    private static String readAll(int fd) throws ErrnoException {
        var out = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            while (true) {
                int n;
                try {
                    n = FileCalls.read(fd, buffer);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EIO) { // a pty master once the slave is closed everywhere
                        break;
                    }
                    throw e;
                }
                if (n <= 0) {
                    break;
                }
                out.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, n);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
