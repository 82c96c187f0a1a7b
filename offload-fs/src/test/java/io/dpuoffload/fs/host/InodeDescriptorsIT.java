package io.dpuoffload.fs.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.fuse.FuseNotifications;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.Mounts;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.ThreadCredentials;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host keeps only a few inode descriptors open ({@link #CACHED} here) and reopens the others by
 * file handle: every node id the DPU holds keeps working as it did with a descriptor each (same node
 * id for the same inode, hard links, renames, open files of unlinked inodes, callers of any
 * identity), and nothing outside the export becomes reachable (moved out, deleted: ESTALE).
 * Requests go straight to the session, as the DPU's kernel would send them.
 */
class InodeDescriptorsIT {
    /** Descriptors the session may keep cached: far fewer than the files each test touches. */
    private static final int CACHED = 4;

    private static final int NOBODY = 65534;

    @TempDir
    Path work;

    private HostSession session;
    private Path tmpfs;
    private final AtomicLong fillerDirs = new AtomicLong();

    @AfterEach
    void close() throws Exception {
        if (session != null) {
            session.close();
        }
        if (tmpfs != null) {
            Mounts.umount2(tmpfs.toString(), 0);
        }
    }

    @Test
    void aTreeFarLargerThanTheCacheKeepsItsNodeIdsWithFewDescriptors() throws Exception {
        Path exported = export(work);
        List<Path> files = tree(exported, 10, 20);
        List<Long> nodes = new ArrayList<>();
        for (Path file : files) {
            nodes.add(lookupPath(exported, file));
            assertThat(session.inodes.openDescriptors()).isLessThanOrEqualTo(CACHED);
        }
        for (int i = 0; i < files.size(); i++) {
            assertThat(getattrIno(nodes.get(i))).as(files.get(i).toString()).isEqualTo(ino(files.get(i)));
            assertThat(lookupPath(exported, files.get(i))).isEqualTo(nodes.get(i));
            assertThat(session.inodes.openDescriptors()).isLessThanOrEqualTo(CACHED);
        }
        assertThat(session.inodes.size()).isEqualTo(1 + 10 + files.size());
    }

    @Test
    void hardLinksAndRenamesKeepOneNodeId() throws Exception {
        Path exported = export(work);
        Path a = Files.writeString(
                Files.createDirectories(exported.resolve("d1")).resolve("a"), "a");
        Path b = Files.createLink(exported.resolve("b"), a);
        long node = lookupPath(exported, a);
        evictAll(exported);
        assertThat(lookupPath(exported, b)).isEqualTo(node);
        evictAll(exported);
        Path moved = Files.createDirectories(exported.resolve("d2/deeper")).resolve("c");
        Files.delete(b);
        Files.move(a, moved);
        assertThat(getattrIno(node)).isEqualTo(ino(moved));
        evictAll(exported);
        Files.move(exported.resolve("d2"), exported.resolve("d3"));
        assertThat(getattrIno(node)).isEqualTo(ino(exported.resolve("d3/deeper/c")));
        assertThat(lookupPath(exported, exported.resolve("d3/deeper/c"))).isEqualTo(node);
    }

    @Test
    void movedOutOfTheExportOrDeletedIsStale() throws Exception {
        assertMovedOutAndDeletedAreStale(work);
    }

    @Test
    void movedOutOfTheExportOrDeletedIsStaleOnTmpfs() throws Exception {
        // tmpfs has handles but not connectable ones: the server checks the reopened path itself.
        tmpfs = Files.createDirectories(work.resolve("tmpfs"));
        Mounts.mount("tmpfs", tmpfs.toString(), "tmpfs", 0, "mode=755");
        assertMovedOutAndDeletedAreStale(tmpfs);
    }

    @Test
    void openFilesOfUnlinkedInodesKeepWorking() throws Exception {
        Path exported = export(work);
        Path file = Files.writeString(exported.resolve("open"), "still here");
        long node = lookupPath(exported, file);
        long fh = openFh(node, Flags.O_RDONLY);
        Files.delete(file);
        evictAll(exported);
        assertThat(error(FuseOpcode.GETATTR, node, new FuseOperation.Getattr(0, 0)))
                .isZero();
        ByteBuf read = execute(FuseOpcode.READ, node, new FuseOperation.Read(fh, 0, 100, 0, 0, 0));
        try {
            assertThat(read.toString(FuseProtocol.OUT_HEADER_SIZE, 10, StandardCharsets.UTF_8))
                    .isEqualTo("still here");
        } finally {
            read.release();
        }
        assertThat(error(FuseOpcode.RELEASE, node, new FuseOperation.Release(fh, 0, 0, 0)))
                .isZero();
        // Files made now may get the freed inode number: never the old node id with it.
        assertThat(evictAll(exported)).doesNotContain(node);
        assertThat(error(FuseOpcode.GETATTR, node, new FuseOperation.Getattr(0, 0)))
                .isEqualTo(-Errno.ESTALE);
    }

    @Test
    void reopenedInodesServeEveryCallerWithTheCallersOwnRights() throws Exception {
        Path exported = export(work);
        Path secret = Files.writeString(exported.resolve("secret"), "root only");
        Metadata.fchmodat(Flags.AT_FDCWD, secret.toString(), 0600, 0);
        Path shared = Files.writeString(exported.resolve("shared"), "everyone");
        Metadata.fchmodat(Flags.AT_FDCWD, shared.toString(), 0644, 0);
        long secretNode = lookupPath(exported, secret);
        long sharedNode = lookupPath(exported, shared);
        evictAll(exported);
        int[] none = new int[0];
        assertThat(ThreadCredentials.callAs(
                        NOBODY, NOBODY, none, () -> error(FuseOpcode.OPEN, secretNode, new FuseOperation.Open(0, 0))))
                .isEqualTo(-Errno.EACCES);
        evictAll(exported);
        long fh = ThreadCredentials.callAs(NOBODY, NOBODY, none, () -> openFh(sharedNode, Flags.O_RDONLY));
        assertThat(error(FuseOpcode.RELEASE, sharedNode, new FuseOperation.Release(fh, 0, 0, 0)))
                .isZero();
        assertThat(ThreadCredentials.fsuid()).isZero();
    }

    @Test
    void symlinksAndFifosAreReopenedAsThemselves() throws Exception {
        Path exported = export(work);
        Files.createSymbolicLink(exported.resolve("link"), Path.of("../outside/target"));
        PathCalls.mknodat(Flags.AT_FDCWD, exported.resolve("fifo").toString(), Flags.S_IFIFO | 0644, 0);
        long link = lookupPath(exported, exported.resolve("link"));
        long fifo = lookupPath(exported, exported.resolve("fifo"));
        evictAll(exported);
        ByteBuf target = execute(FuseOpcode.READLINK, link, new FuseOperation.Readlink());
        try {
            assertThat(target.toString(
                            FuseProtocol.OUT_HEADER_SIZE,
                            target.readableBytes() - FuseProtocol.OUT_HEADER_SIZE,
                            StandardCharsets.UTF_8))
                    .isEqualTo("../outside/target");
        } finally {
            target.release();
        }
        assertThat(getattrIno(fifo)).isEqualTo(ino(exported.resolve("fifo")));
    }

    @Test
    void theHostChangeMarksOfInodesWhoseDescriptorsWereClosedGoWhenTheDpuForgetsThem() throws Exception {
        Path base = Files.createDirectories(work.resolve("watched"));
        Path exported = Files.createDirectories(base.resolve("exported"));
        Path outside = Files.createDirectories(base.resolve("outside"));
        long before = fanotifyMarks();
        session = HostSession.open(1, exportOf(exported, CachePolicy.TTL), "test", 64, () -> CACHED);
        long rootOnly = fanotifyMarks();
        List<Path> files = tree(exported, 2, 3 * CACHED);
        List<Long> nodes = new ArrayList<>();
        for (Path file : files) {
            nodes.add(lookupPath(exported, file));
        }
        long dirs = 2;
        assertThat(fanotifyMarks()).isEqualTo(rootOnly + dirs + files.size());
        assertThat(session.inodes.openDescriptors()).isLessThanOrEqualTo(CACHED);
        // Closed descriptors all: a file still there, one moved out of the export, one deleted.
        evictAll(exported);
        long fillers = 1 + 2 * CACHED;
        Files.move(files.get(0), outside.resolve("moved"));
        Files.delete(files.get(1));
        for (long node : nodes) {
            forget(node);
        }
        assertThat(fanotifyMarks()).isEqualTo(rootOnly + dirs + fillers);
        session.close();
        session = null;
        long deadline = System.nanoTime() + 10_000_000_000L; // the watch's reader closes the group as it ends
        while (fanotifyMarks() > before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(fanotifyMarks()).isEqualTo(before);
    }

    @Test
    void aWatchedNodeDroppedWhileTheDpuKnowsItIsInvalidatedThere() throws Exception {
        Path exported = Files.createDirectories(work.resolve("exported"));
        tmpfs = Files.createDirectories(exported.resolve("mounted"));
        Mounts.mount("tmpfs", tmpfs.toString(), "tmpfs", 0, "mode=755");
        Path file = Files.writeString(tmpfs.resolve("file"), "on tmpfs: no handle the export's mount opens");
        session = HostSession.open(1, exportOf(exported, CachePolicy.TTL), "test", 64, () -> CACHED);
        List<byte[]> sent = new CopyOnWriteArrayList<>();
        session.sender = message -> {
            byte[] bytes = new byte[message.remaining()];
            message.duplicate().get(bytes);
            sent.add(bytes);
            return CompletableFuture.completedFuture(null);
        };
        long before = fanotifyMarks();
        long node = lookupPath(exported, file);
        assertThat(fanotifyMarks()).isEqualTo(before + 2); // the tmpfs root and the file
        evictAll(exported);
        assertThat(error(FuseOpcode.GETATTR, node, new FuseOperation.Getattr(0, 0)))
                .isEqualTo(-Errno.ESTALE);
        ByteBuffer inval = FuseNotifications.invalInode(node, -1, 0);
        byte[] expected = new byte[inval.remaining()];
        inval.get(expected);
        assertThat(sent).anySatisfy(message -> assertThat(indexOf(message, expected))
                .as("the DPU is told to drop the node's attributes")
                .isNotNegative());
        long again = lookupPath(exported, file);
        assertThat(again).isNotEqualTo(node);
        assertThat(getattrIno(again)).isEqualTo(ino(file));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void procfsHasNoHandlesSoItsIdleInodesAreDroppedNotKept() throws Exception {
        var export = new ExportConfig(
                "proc", Path.of("/proc"), true, CachePolicy.NONE, Duration.ZERO, true, Allowlist.allowAll());
        session = HostSession.open(1, export, "test", 64, () -> CACHED);
        List<String> names = List.of("self", "sys", "net", "meminfo", "stat", "uptime", "version", "cpuinfo");
        List<Long> nodes = new ArrayList<>();
        for (String name : names) {
            nodes.add(lookup(FuseProtocol.ROOT_ID, name));
            assertThat(session.inodes.openDescriptors()).isLessThanOrEqualTo(CACHED);
        }
        assertThat(error(FuseOpcode.GETATTR, nodes.getFirst(), new FuseOperation.Getattr(0, 0)))
                .as("dropped")
                .isEqualTo(-Errno.ESTALE);
        long again = lookup(FuseProtocol.ROOT_ID, names.getFirst());
        assertThat(again).isNotEqualTo(nodes.getFirst());
        assertThat(error(FuseOpcode.GETATTR, again, new FuseOperation.Getattr(0, 0)))
                .isZero();
    }

    @Test
    void inodesOfAnotherMountInsideTheExportAreDroppedNotReopened() throws Exception {
        Path exported = export(work);
        tmpfs = Files.createDirectories(exported.resolve("mounted"));
        Mounts.mount("tmpfs", tmpfs.toString(), "tmpfs", 0, "mode=755");
        Path file = Files.writeString(tmpfs.resolve("file"), "on tmpfs");
        long node = lookupPath(exported, file);
        evictAll(exported);
        assertThat(error(FuseOpcode.GETATTR, node, new FuseOperation.Getattr(0, 0)))
                .isEqualTo(-Errno.ESTALE);
        long again = lookupPath(exported, file);
        assertThat(again).isNotEqualTo(node);
        assertThat(getattrIno(again)).isEqualTo(ino(file));
    }

    private void assertMovedOutAndDeletedAreStale(Path base) throws Exception {
        Path exported = export(base);
        Path outside = Files.createDirectories(base.resolve("outside"));
        Path dir = Files.createDirectories(exported.resolve("dir"));
        Path inDir = Files.writeString(dir.resolve("inner"), "inner");
        Path file = Files.writeString(exported.resolve("file"), "file");
        Path doomed = Files.writeString(exported.resolve("doomed"), "doomed");
        long dirNode = lookupPath(exported, dir);
        long fileNode = lookupPath(exported, file);
        long doomedNode = lookupPath(exported, doomed);
        evictAll(exported);
        Files.move(dir, outside.resolve("dir"));
        Files.move(file, outside.resolve("file"));
        Files.delete(doomed);
        assertThat(error(FuseOpcode.GETATTR, fileNode, new FuseOperation.Getattr(0, 0)))
                .isEqualTo(-Errno.ESTALE);
        assertThat(error(
                        FuseOpcode.LOOKUP,
                        dirNode,
                        new FuseOperation.Lookup(bytes(inDir.getFileName().toString()))))
                .isEqualTo(-Errno.ESTALE);
        assertThat(error(FuseOpcode.GETATTR, doomedNode, new FuseOperation.Getattr(0, 0)))
                .isEqualTo(-Errno.ESTALE);
        // Back inside, the same inode is reachable again under its node id.
        Files.move(outside.resolve("file"), exported.resolve("back"));
        assertThat(getattrIno(fileNode)).isEqualTo(ino(exported.resolve("back")));
    }

    private Path export(Path base) throws Exception {
        Path exported = Files.createDirectories(base.resolve("exported"));
        session = HostSession.open(1, exportOf(exported, CachePolicy.NONE), "test", 64, () -> CACHED);
        return exported;
    }

    private static ExportConfig exportOf(Path exported, CachePolicy cache) {
        Duration ttl = cache == CachePolicy.TTL ? Duration.ofSeconds(60) : Duration.ZERO;
        return new ExportConfig("data", exported, false, cache, ttl, false, Allowlist.allowAll());
    }

    /** The DPU's kernel forgets the one lookup it made of {@code node}. */
    private void forget(long node) {
        ByteBuf reply = execute(FuseOpcode.FORGET, node, new FuseOperation.Forget(1));
        if (reply != null) {
            reply.release();
        }
    }

    /** Inode marks of every fanotify group of this JVM (each session that caches has one), from fdinfo. */
    private static long fanotifyMarks() throws Exception {
        long marks = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (!Files.readSymbolicLink(fd).toString().equals("anon_inode:[fanotify]")) {
                        continue;
                    }
                    try (var lines = Files.lines(
                            Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
                        marks += lines.filter(line -> line.startsWith("fanotify ino:"))
                                .count();
                    }
                } catch (java.io.IOException | java.io.UncheckedIOException e) {
                    // closed meanwhile (a stream's lazy read says so unchecked)
                }
            }
        }
        return marks;
    }

    /** {@code dirs} directories of {@code files} files each. */
    private static List<Path> tree(Path root, int dirs, int files) throws Exception {
        List<Path> all = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            Path dir = Files.createDirectories(root.resolve("d" + d));
            for (int f = 0; f < files; f++) {
                all.add(Files.writeString(dir.resolve("f" + f), "content of " + d + "/" + f));
            }
        }
        return all;
    }

    /** Looks up enough fresh files that every descriptor cached before is closed; their node ids. */
    private List<Long> evictAll(Path exported) throws Exception {
        Path fillers = Files.createDirectories(exported.resolve("fillers-" + fillerDirs.incrementAndGet()));
        List<Long> nodes = new ArrayList<>();
        for (int i = 0; i < 2 * CACHED; i++) {
            nodes.add(lookupPath(exported, Files.writeString(fillers.resolve("f" + i), "")));
        }
        return nodes;
    }

    private long lookupPath(Path exported, Path file) {
        long node = FuseProtocol.ROOT_ID;
        for (Path name : exported.relativize(file)) {
            node = lookup(node, name.toString());
        }
        return node;
    }

    private long lookup(long parent, String name) {
        ByteBuf reply = execute(FuseOpcode.LOOKUP, parent, new FuseOperation.Lookup(bytes(name)));
        try {
            assertThat(reply.getIntLE(4)).as("lookup " + name).isZero();
            return reply.getLongLE(FuseProtocol.OUT_HEADER_SIZE);
        } finally {
            reply.release();
        }
    }

    private long getattrIno(long node) {
        ByteBuf reply = execute(FuseOpcode.GETATTR, node, new FuseOperation.Getattr(0, 0));
        try {
            assertThat(reply.getIntLE(4)).as("getattr").isZero();
            return reply.getLongLE(FuseProtocol.OUT_HEADER_SIZE + 16); // after attr_valid, its nsec, padding
        } finally {
            reply.release();
        }
    }

    private long openFh(long node, int flags) {
        ByteBuf reply = execute(FuseOpcode.OPEN, node, new FuseOperation.Open(flags, 0));
        try {
            assertThat(reply.getIntLE(4)).as("open").isZero();
            return reply.getLongLE(FuseProtocol.OUT_HEADER_SIZE);
        } finally {
            reply.release();
        }
    }

    private static long ino(Path file) throws Exception {
        return Metadata.statx(Flags.AT_FDCWD, file.toString(), Flags.AT_SYMLINK_NOFOLLOW)
                .ino();
    }

    private int error(FuseOpcode opcode, long nodeid, FuseOperation operation) {
        return RawRequests.error(session, opcode, nodeid, operation);
    }

    private ByteBuf execute(FuseOpcode opcode, long nodeid, FuseOperation operation) {
        return RawRequests.execute(session, opcode, nodeid, operation);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
