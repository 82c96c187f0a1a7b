package io.dpuoffload.e2e.fs.workloads;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Xattrs;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A tree such as a container image or a VM store holds, written with the system calls themselves
 * (names as bytes, owners, modes and times exact): {@link #TOPS} top directories, each made of
 * plain directories of small files of many sizes, owners and modes, some hard-linked (also across
 * directories), some symlinked, some with xattrs; and an {@code odd/} directory of what archivers
 * and copiers get wrong: set-id and sticky bits, mode 000, unusual names, fifos, sparse files,
 * POSIX ACLs (access and default), times before 1970 and after 2038, dangling and absolute
 * symlinks with their own owners and times. The same seed gives the same tree.
 */
public final class SampleTree {
    /** Top directories: one archive each, so that as many tar processes can unpack at once. */
    public static final int TOPS = 4;

    /** Directories per top and files per directory: 4 × 15 × 50 = 3,000 plain files, the "thousands". */
    private static final int DIRS_PER_TOP = 15;

    private static final int FILES_PER_DIR = 50;

    /** Sizes around the edges that matter: empty, one byte, a page and one past it, several pages. */
    private static final int[] SIZES = {0, 1, 17, 512, 4095, 4096, 4097, 20_000, 70_000};

    private static final int[] MODES = {0644, 0600, 0755, 0444, 0640, 0700, 0604, 0000, 04755, 02755, 06711, 01644};
    private static final int[][] OWNERS = {{0, 0}, {1000, 1000}, {1001, 100}, {65534, 65534}, {123456, 654321}};

    /** Times between 1990 and 2025: old enough that relatime would move the atime of any file read. */
    private static final long EARLIEST = 631_152_000L;

    private static final long SPAN = 1_104_537_600L;

    private final byte[] root;
    private final Random random;
    private final List<String> dirs = new ArrayList<>();

    private SampleTree(Path root, long seed) {
        this.root = root.toString().getBytes(StandardCharsets.UTF_8);
        this.random = new Random(seed);
    }

    /** Writes the tree into {@code root} (an existing, empty directory). */
    public static void write(Path root, long seed) throws IOException {
        new SampleTree(root, seed).write();
    }

    /** The name of top directory {@code i}. */
    public static String top(int i) {
        return "top" + i;
    }

    private void write() throws IOException {
        for (int t = 0; t < TOPS; t++) {
            String top = top(t);
            mkdir(top);
            List<String> files = new ArrayList<>();
            for (int d = 0; d < DIRS_PER_TOP; d++) {
                String dir = top + "/d" + d + (d % 3 == 0 ? "/nested" : "");
                mkdir(top + "/d" + d);
                if (d % 3 == 0) {
                    mkdir(dir);
                }
                for (int f = 0; f < FILES_PER_DIR; f++) {
                    files.add(plainFile(dir + "/f" + f + ".dat"));
                }
            }
            // A hard link in another directory of the same top, and one group of three.
            link(files.get(7), top + "/d1/linked-from-d0");
            link(files.get(60), top + "/d2/three-a");
            link(files.get(60), top + "/d5/three-b");
            odd(top + "/odd");
        }
        // Directories last, deepest first, so that writing their children does not move their times.
        for (String dir : dirs.reversed()) {
            times(dir);
        }
    }

    private String plainFile(String name) throws ErrnoException {
        byte[] content = new byte[SIZES[random.nextInt(SIZES.length)]];
        random.nextBytes(content);
        file(name, content);
        int[] owner = OWNERS[random.nextInt(OWNERS.length)];
        chown(name, owner[0], owner[1]);
        // chmod after chown: chown clears set-id bits, as it would for tar.
        chmod(name, MODES[random.nextInt(MODES.length)]);
        int kind = random.nextInt(100);
        if (kind < 5) {
            xattr(name, "user.origin", ("sample-" + kind).getBytes(StandardCharsets.UTF_8));
        } else if (kind < 9) {
            link(name, name + ".hardlink");
        } else if (kind < 13) {
            symlink(name.substring(name.lastIndexOf('/') + 1), name + ".symlink");
        }
        times(name);
        return name;
    }

    private void odd(String odd) throws ErrnoException {
        mkdir(odd);
        file(odd + "/name with spaces", bytes("spaces"));
        file(odd + "/ünïcødé-名前", bytes("unicode"));
        file(odd + "/-leading-dash", bytes("dash"));
        file(odd + "/.hidden", bytes("hidden"));
        file(odd + "/setuid", bytes("#!/bin/sh\n"));
        chown(odd + "/setuid", 1000, 1000);
        chmod(odd + "/setuid", 04755);
        file(odd + "/nothing-allowed", bytes("000"));
        chmod(odd + "/nothing-allowed", 0);
        mkdir(odd + "/sticky");
        chmod(odd + "/sticky", 01777);
        mkdir(odd + "/setgid");
        chown(odd + "/setgid", 0, 1000);
        chmod(odd + "/setgid", 02775);
        file(odd + "/setgid/inside", bytes("in a setgid directory"));
        mkdir(odd + "/read-only");
        file(odd + "/read-only/inside", bytes("in a read-only directory"));
        chmod(odd + "/read-only", 0555);
        mkdir(odd + "/empty");
        PathCalls.mknodat(Flags.AT_FDCWD, path(odd + "/fifo"), Flags.S_IFIFO | 0620, 0);
        chown(odd + "/fifo", 1000, 100);
        sparse(odd);
        acls(odd);
        xattrs(odd);
        symlinks(odd);
        file(odd + "/before-1970", bytes("moon landing"));
        Metadata.utimensat(Flags.AT_FDCWD, path(odd + "/before-1970"), -14_182_940L, 5, -14_182_940L, 123_456_789, 0);
        file(odd + "/after-2038", bytes("y2038"));
        Metadata.utimensat(
                Flags.AT_FDCWD, path(odd + "/after-2038"), 2_209_032_000L, 0, 2_209_032_000L, 999_999_999, 0);
    }

    /** Holes at the start, in the middle and at the end, and a file that is all hole. */
    private void sparse(String odd) throws ErrnoException {
        sparseFile(odd + "/sparse-head", new long[] {3 << 20}, 3 << 20);
        sparseFile(odd + "/sparse-middle", new long[] {0, 2 << 20}, 2 << 20);
        sparseFile(odd + "/sparse-tail", new long[] {0}, 2 << 20);
        sparseFile(odd + "/sparse-all", new long[0], 1 << 20);
        for (String s : List.of("head", "middle", "tail", "all")) {
            times(odd + "/sparse-" + s);
        }
    }

    /** 4 KiB of data at each of {@code dataAt}, the file {@code length} long (or longer, to hold the data). */
    private void sparseFile(String name, long[] dataAt, long length) throws ErrnoException {
        int fd = FileCalls.openat(
                Flags.AT_FDCWD, path(name), Flags.O_WRONLY | Flags.O_CREAT | Flags.O_EXCL | Flags.O_CLOEXEC, 0644);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(4096);
            for (long at : dataAt) {
                block.fill((byte) ('a' + random.nextInt(26)));
                FileCalls.pwrite(fd, block, block.byteSize(), at);
            }
            if (dataAt.length == 0 || dataAt[dataAt.length - 1] + 4096 < length) {
                FileCalls.ftruncate(fd, length);
            }
        } finally {
            FileCalls.closeQuietly(fd);
        }
    }

    /** An access ACL with a named user and group, and a directory with a default ACL its new files inherit. */
    private void acls(String odd) throws ErrnoException {
        file(odd + "/acl", bytes("acl"));
        chmod(odd + "/acl", 0640);
        xattr(odd + "/acl", "system.posix_acl_access", acl(06, 1000, 04, 100, 06, 04, 00));
        mkdir(odd + "/acl-default");
        byte[] inherited = acl(07, 1000, 05, 100, 07, 05, 05);
        xattr(odd + "/acl-default", "system.posix_acl_default", inherited);
        xattr(odd + "/acl-default", "system.posix_acl_access", inherited);
        file(odd + "/acl-default/inherits", bytes("inherits"));
    }

    private void xattrs(String odd) throws ErrnoException {
        file(odd + "/xattrs", bytes("xattrs"));
        xattr(odd + "/xattrs", "user.empty", new byte[0]);
        xattr(odd + "/xattrs", "user.binary", new byte[] {0, 1, 2, (byte) 0xff, 0});
        byte[] large = new byte[3000];
        random.nextBytes(large);
        xattr(odd + "/xattrs", "user.large", large);
        xattr(odd + "/xattrs", "trusted.root-only", bytes("trusted"));
        xattr(odd, "user.on-a-directory", bytes("dir"));
    }

    private void symlinks(String odd) throws ErrnoException {
        symlink("name with spaces", odd + "/relative");
        symlink("../odd/xattrs", odd + "/up-and-back");
        symlink("/nonexistent/absolute/target", odd + "/absolute-dangling");
        symlink("does-not-exist", odd + "/dangling");
        symlink("sticky", odd + "/to-a-directory");
        symlink("x".repeat(1000), odd + "/long-target");
        Metadata.fchownat(Flags.AT_FDCWD, path(odd + "/relative"), 1000, 100, Flags.AT_SYMLINK_NOFOLLOW);
        times(odd + "/relative");
        times(odd + "/dangling");
    }

    /**
     * The system.posix_acl_* value (version 2, entries sorted by tag) of user::{@code owner}, user:{@code
     * user}:{@code userPerm}, group::{@code groupPerm} (here fixed to r), group:{@code group}:{@code
     * groupNamedPerm}, mask::{@code mask}, other::{@code other}.
     */
    private static byte[] acl(int owner, int user, int userPerm, int group, int groupNamedPerm, int mask, int other) {
        ByteBuffer b = ByteBuffer.allocate(4 + 6 * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2);
        entry(b, 0x01, owner, -1);
        entry(b, 0x02, userPerm, user);
        entry(b, 0x04, 04, -1);
        entry(b, 0x08, groupNamedPerm, group);
        entry(b, 0x10, mask, -1);
        entry(b, 0x20, other, -1);
        return b.array();
    }

    private static void entry(ByteBuffer b, int tag, int perm, int id) {
        b.putShort((short) tag).putShort((short) perm).putInt(id);
    }

    private void file(String name, byte[] content) throws ErrnoException {
        int fd = FileCalls.openat(
                Flags.AT_FDCWD, path(name), Flags.O_WRONLY | Flags.O_CREAT | Flags.O_EXCL | Flags.O_CLOEXEC, 0644);
        try (Arena arena = Arena.ofConfined()) {
            if (content.length > 0) {
                MemorySegment data = arena.allocate(content.length);
                MemorySegment.copy(content, 0, data, ValueLayout.JAVA_BYTE, 0, content.length);
                FileCalls.pwrite(fd, data, content.length, 0);
            }
        } finally {
            FileCalls.closeQuietly(fd);
        }
    }

    private void mkdir(String name) throws ErrnoException {
        PathCalls.mkdirat(Flags.AT_FDCWD, path(name), 0755);
        dirs.add(name);
    }

    private void link(String existing, String name) throws ErrnoException {
        PathCalls.linkat(Flags.AT_FDCWD, path(existing), Flags.AT_FDCWD, path(name), 0);
    }

    private void symlink(String target, String name) throws ErrnoException {
        PathCalls.symlinkat(target.getBytes(StandardCharsets.UTF_8), Flags.AT_FDCWD, path(name));
    }

    private void chown(String name, int uid, int gid) throws ErrnoException {
        Metadata.fchownat(Flags.AT_FDCWD, path(name), uid, gid, 0);
    }

    private void chmod(String name, int mode) throws ErrnoException {
        Metadata.fchmodat(Flags.AT_FDCWD, path(name), mode, 0);
    }

    private void xattr(String name, String attribute, byte[] value) throws ErrnoException {
        Xattrs.setxattr(path(name), attribute.getBytes(StandardCharsets.UTF_8), value, 0);
    }

    /** Random atime and mtime, with nanoseconds, of the entry itself (a symlink, not its target). */
    private void times(String name) throws ErrnoException {
        long atime = EARLIEST + (long) (random.nextDouble() * SPAN);
        long mtime = EARLIEST + (long) (random.nextDouble() * SPAN);
        Metadata.utimensat(
                Flags.AT_FDCWD,
                path(name),
                atime,
                random.nextInt(1_000_000_000),
                mtime,
                random.nextInt(1_000_000_000),
                Flags.AT_SYMLINK_NOFOLLOW);
    }

    private byte[] path(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[root.length + 1 + n.length];
        System.arraycopy(root, 0, p, 0, root.length);
        p[root.length] = '/';
        System.arraycopy(n, 0, p, root.length + 1, n.length);
        return p;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
