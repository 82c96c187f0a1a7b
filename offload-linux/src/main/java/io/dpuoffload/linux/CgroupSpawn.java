package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a program born in a given cgroup, with no process moved between cgroups: through a small
 * static helper (offload-exec's cgroup-spawn.c, which says why) that {@link Spawn} runs with the
 * program's descriptors, signal state and working directory, and which starts the program with
 * clone3(CLONE_INTO_CGROUP | CLONE_PARENT), so that it is our child, as with {@link Spawn} itself.
 * The helper is kept in a memfd and run as /proc/self/fd/N, so no file system needs to allow
 * executing a file we write.
 */
public final class CgroupSpawn implements AutoCloseable {
    private static final int MFD_CLOEXEC = 0x1;
    /** Linux 6.3+: says the memfd is to be executed (a kernel without it refuses the flag with EINVAL). */
    private static final int MFD_EXEC = 0x10;

    private static final MethodHandle MEMFD_CREATE =
            Libc.function("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private static final int RECORD_BYTES = 5;

    private final int helper;

    /** The helper could not start the program in its cgroup; the caller moves it there another way. */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private CgroupSpawn(int helper) {
        this.helper = helper;
    }

    /** Keeps {@code binary} (the helper, built for this machine) in a memfd of this process. */
    public static CgroupSpawn load(byte[] binary) throws ErrnoException {
        int fd = memfd("dpuo-cgroup-spawn");
        try {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment bytes = arena.allocate(binary.length);
                MemorySegment.copy(binary, 0, bytes, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, binary.length);
                long written = 0;
                while (written < binary.length) {
                    written += FileCalls.write(fd, bytes.asSlice(written), binary.length - written);
                }
            }
            return new CgroupSpawn(fd);
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
    }

    private static int memfd(String name) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Libc.CAPTURE_LAYOUT);
            MemorySegment cName = arena.allocateFrom(name);
            int fd = (int) MEMFD_CREATE.invokeExact(errno, cName, MFD_CLOEXEC | MFD_EXEC);
            if (fd < 0 && Libc.errno(errno) == Errno.EINVAL) {
                fd = (int) MEMFD_CREATE.invokeExact(errno, cName, MFD_CLOEXEC);
            }
            if (fd < 0) {
                throw new ErrnoException("memfd_create", Libc.errno(errno));
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * As {@link Spawn#spawn(byte[], byte[][], byte[][], int, int, int, byte[], int[], int[])}, the
     * program born in the cgroup whose directory {@code cgroup} is open; with {@code terminal} (an
     * open pty slave, or -1) as its stdio and controlling terminal instead of the three given. An
     * {@link ErrnoException} is the program's (it could not be executed: no process is left); {@link
     * Unavailable}, the helper's (it could not run, or this kernel lacks CLONE_INTO_CGROUP).
     */
    public int spawn(
            int cgroup,
            byte[] path,
            byte[][] argv,
            byte[][] envp,
            int stdin,
            int stdout,
            int stderr,
            int terminal,
            int[] targets,
            int[] sources)
            throws ErrnoException, Unavailable {
        int first = 3;
        for (int target : targets) {
            first = Math.max(first, target + 1);
        }
        int[] status = FileCalls.pipe2(Flags.O_CLOEXEC);
        List<Integer> copies = new ArrayList<>();
        int helperPid = -1;
        try {
            // Every source above every target, the helper's four included, so no dup2 overwrites one still needed.
            int above = first + 4;
            int[] allTargets = new int[targets.length + 4];
            int[] allSources = new int[targets.length + 4];
            for (int i = 0; i < targets.length; i++) {
                allTargets[i] = targets[i];
                allSources[i] = copyAbove(sources[i], above, copies);
            }
            int[] special = {cgroup, status[1], terminal >= 0 ? terminal : status[1], helper};
            for (int i = 0; i < 4; i++) {
                allTargets[targets.length + i] = first + i;
                allSources[targets.length + i] = copyAbove(special[i], above, copies);
            }
            byte[][] helperArgv = withArgv(first, terminal >= 0, path, argv);
            int in = terminal >= 0 ? terminal : stdin;
            int out = terminal >= 0 ? terminal : stdout;
            int err = terminal >= 0 ? terminal : stderr;
            try {
                helperPid = Spawn.spawn(
                        ("/proc/self/fd/" + (first + 3)).getBytes(StandardCharsets.US_ASCII),
                        helperArgv,
                        envp,
                        in,
                        out,
                        err,
                        null,
                        allTargets,
                        allSources,
                        false);
            } catch (ErrnoException e) {
                throw new Unavailable("the helper did not start: " + e.getMessage());
            }
        } finally {
            FileCalls.closeQuietly(status[1]);
            copies.forEach(FileCalls::closeQuietly);
            if (helperPid < 0) {
                FileCalls.closeQuietly(status[0]); // nothing started: nothing to hear from
            }
        }
        try {
            return outcome(readAll(status[0]), helperPid, path);
        } finally {
            FileCalls.closeQuietly(status[0]);
            ProcessExits.reap(helperPid);
        }
    }

    /** The helper's argv: its name, FIRST and TERMINAL, then the program's path and the program's argv. */
    private static byte[][] withArgv(int first, boolean terminal, byte[] path, byte[][] argv) {
        byte[][] all = new byte[4 + argv.length][];
        all[0] = "cgroup-spawn".getBytes(StandardCharsets.US_ASCII);
        all[1] = Integer.toString(first).getBytes(StandardCharsets.US_ASCII);
        all[2] = (terminal ? "1" : "0").getBytes(StandardCharsets.US_ASCII);
        all[3] = path;
        System.arraycopy(argv, 0, all, 4, argv.length);
        return all;
    }

    private static int copyAbove(int fd, int above, List<Integer> copies) throws ErrnoException {
        int copy = FileCalls.fcntl(fd, Flags.F_DUPFD_CLOEXEC, above);
        copies.add(copy);
        return copy;
    }

    /** What the helper said: the program's pid, or why there is none. */
    private static int outcome(byte[] said, int helperPid, byte[] path) throws ErrnoException, Unavailable {
        var records = java.nio.ByteBuffer.wrap(said).order(ByteOrder.nativeOrder());
        int execErrno = 0;
        while (records.remaining() >= RECORD_BYTES) {
            byte tag = records.get();
            int value = records.getInt();
            switch (tag) {
                case 'E' -> execErrno = value;
                case 'F' -> throw new Unavailable("clone3 into a cgroup failed: " + Errno.description(value));
                case 'P' -> {
                    if (execErrno == 0) {
                        return value;
                    }
                    ProcessExits.reap(value); // exited with 127 at once
                    throw new ErrnoException("execve " + new String(path, StandardCharsets.UTF_8), execErrno);
                }
                default -> throw new Unavailable("the helper said something unexpected (tag " + tag + ")");
            }
        }
        throw new Unavailable("the helper (pid " + helperPid + ") ended without saying the program's pid");
    }

    private static byte[] readAll(int fd) throws ErrnoException {
        var out = new java.io.ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(64);
            int n;
            while ((n = FileCalls.read(fd, buffer)) > 0) {
                out.write(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 0, n);
            }
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        FileCalls.closeQuietly(helper);
    }
}
