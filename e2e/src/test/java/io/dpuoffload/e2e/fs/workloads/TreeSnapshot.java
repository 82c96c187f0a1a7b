package io.dpuoffload.e2e.fs.workloads;

import io.dpuoffload.linux.DirEntry;
import io.dpuoffload.linux.Directories;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Stat;
import io.dpuoffload.linux.Xattrs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Everything a program can learn about a tree: for each entry beneath the root (the root itself is
 * left out: its times are the test's, not the workload's) its type, mode, owner, size, blocks, link
 * count, times, extended attributes (POSIX ACLs included, as the system.posix_acl_* attributes),
 * symlink target and content hash; and which names are hard links of one inode.
 *
 * <p>Taken in two passes so that looking does not change what is looked at: every entry is stat'ed
 * before any file is read, and files are read with O_NOATIME (the caller is root), so the atimes
 * recorded are the workload's. Directories' and symlinks' atimes still move as they are listed
 * and read, which is why {@link TreeDifferences} never compares them. Names are handled as bytes (the JVM's file-name
 * encoding may not be UTF-8) and shown as UTF-8.
 */
public record TreeSnapshot(String root, SortedMap<String, Entry> entries, Set<Set<String>> hardLinkGroups) {

    /** Files are hashed through a buffer of this size: large enough that FUSE reads go in big requests. */
    private static final int READ_BUFFER = 1 << 20;

    /** One entry; {@code target} only for symlinks, {@code sha256} only for regular files. */
    public record Entry(
            String type,
            int permissions,
            int uid,
            int gid,
            long size,
            long blocks,
            long nlink,
            long mtimeNanos,
            long atimeNanos,
            SortedMap<String, String> xattrs,
            String target,
            String sha256) {}

    /** The tree beneath {@code root}. */
    public static TreeSnapshot of(Path root) throws ErrnoException {
        return of(root, relative -> false);
    }

    /** The tree beneath {@code root}, without the entries (and whatever is beneath them) {@code skip} names. */
    public static TreeSnapshot of(Path root, Predicate<String> skip) throws ErrnoException {
        byte[] rootBytes = root.toString().getBytes(StandardCharsets.UTF_8);
        Map<String, Found> found = new LinkedHashMap<>();
        walk(rootBytes, new byte[0], skip, found);
        SortedMap<String, Entry> entries = new TreeMap<>();
        Map<Long, Set<String>> byInode = new LinkedHashMap<>();
        for (var e : found.entrySet()) {
            Found f = e.getValue();
            String sha = f.stat.isRegularFile() ? sha256(f.path) : null;
            entries.put(e.getKey(), entry(f, sha));
            if (!f.stat.isDirectory()) {
                byInode.computeIfAbsent(f.stat.ino(), ino -> new TreeSet<>()).add(e.getKey());
            }
        }
        Set<Set<String>> groups = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        byInode.values().stream().filter(g -> g.size() > 1).forEach(groups::add);
        return new TreeSnapshot(root.toString(), entries, groups);
    }

    /** What the first pass learns of an entry: everything but its content. */
    private record Found(byte[] path, Stat stat, SortedMap<String, String> xattrs, String target) {}

    private static void walk(byte[] root, byte[] relative, Predicate<String> skip, Map<String, Found> found)
            throws ErrnoException {
        byte[] dir = join(root, relative);
        List<byte[]> names = new ArrayList<>();
        int fd = FileCalls.openat(Flags.AT_FDCWD, dir, Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        try {
            for (DirEntry e : Directories.readAll(fd)) {
                if (!e.isDotOrDotDot()) {
                    names.add(e.name());
                }
            }
        } finally {
            FileCalls.closeQuietly(fd);
        }
        names.sort(java.util.Arrays::compare);
        for (byte[] name : names) {
            byte[] rel = relative.length == 0 ? name : join(relative, name);
            String key = new String(rel, StandardCharsets.UTF_8);
            if (skip.test(key)) {
                continue;
            }
            byte[] path = join(root, rel);
            Stat stat = Metadata.statx(Flags.AT_FDCWD, path, Flags.AT_SYMLINK_NOFOLLOW);
            String target = stat.isSymbolicLink() ? utf8(PathCalls.readlinkat(Flags.AT_FDCWD, path)) : null;
            found.put(key, new Found(path, stat, xattrs(path), target));
            if (stat.isDirectory()) {
                walk(root, rel, skip, found);
            }
        }
    }

    private static Entry entry(Found f, String sha) {
        Stat s = f.stat;
        return new Entry(
                type(s),
                s.permissions(),
                s.uid(),
                s.gid(),
                s.size(),
                s.blocks(),
                s.nlink(),
                s.mtimeSec() * 1_000_000_000L + s.mtimeNsec(),
                s.atimeSec() * 1_000_000_000L + s.atimeNsec(),
                f.xattrs,
                f.target,
                sha);
    }

    private static String type(Stat s) {
        return switch (s.type()) {
            case Flags.S_IFREG -> "file";
            case Flags.S_IFDIR -> "directory";
            case Flags.S_IFLNK -> "symlink";
            case Flags.S_IFIFO -> "fifo";
            case Flags.S_IFSOCK -> "socket";
            case Flags.S_IFCHR -> "char device " + Stat.major(s.rdev()) + ":" + Stat.minor(s.rdev());
            case Flags.S_IFBLK -> "block device " + Stat.major(s.rdev()) + ":" + Stat.minor(s.rdev());
            default -> "type " + Integer.toOctalString(s.type());
        };
    }

    /** Every attribute the caller may list (root: trusted.* too), by name, with its value in hex. */
    private static SortedMap<String, String> xattrs(byte[] path) throws ErrnoException {
        SortedMap<String, String> values = new TreeMap<>();
        for (byte[] name : Xattrs.llistxattr(path)) {
            values.put(utf8(name), HexFormat.of().formatHex(Xattrs.lgetxattr(path, name)));
        }
        return values;
    }

    private static String sha256(byte[] path) throws ErrnoException {
        MessageDigest digest = sha256();
        int fd = FileCalls.openat(
                Flags.AT_FDCWD, path, Flags.O_RDONLY | Flags.O_NOATIME | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(READ_BUFFER);
            int n;
            while ((n = FileCalls.read(fd, buffer)) > 0) {
                digest.update(buffer.asSlice(0, n).asByteBuffer());
            }
        } finally {
            FileCalls.closeQuietly(fd);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] join(byte[] a, byte[] b) {
        byte[] joined = new byte[a.length + 1 + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        joined[a.length] = '/';
        System.arraycopy(b, 0, joined, a.length + 1, b.length);
        return joined;
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
