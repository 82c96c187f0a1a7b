package io.dpuoffload.e2e.fs.workloads;

import io.dpuoffload.e2e.fs.workloads.TreeSnapshot.Entry;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * How two trees differ, in the aspects a test names, as one line per difference ({@code path:
 * aspect expected ≠ actual}): an empty list means a program could not tell them apart in those
 * aspects. Two snapshots of trees written by the same workload, one on a local directory and one on a
 * mount, are compared in all aspects the workload determines (a `make` determines content and modes,
 * not times; `tar -p` also times).
 */
public final class TreeDifferences {

    /** What of an entry is compared. */
    public enum Aspect {
        /** File type (and a device's numbers). */
        TYPE,
        /** Permission bits, set-id and sticky bits included. */
        MODE,
        /** uid and gid. */
        OWNER,
        /** Size in bytes (of files and symlinks; a directory's size is its file system's business). */
        SIZE,
        /** Allocated blocks of regular files: holes of sparse files kept as holes. */
        BLOCKS,
        /** Modification time, to the nanosecond. */
        MTIME,
        /**
         * Access time of files and fifos: not of directories and symlinks, whose atimes move whenever a
         * program lists or resolves them (a copier reading its source included).
         */
        ATIME,
        /** Extended attributes, names and values, POSIX ACLs included. */
        XATTRS,
        /** Which names are hard links of one inode, and each entry's link count. */
        LINKS,
        /** Symlink targets. */
        TARGET,
        /** Content of regular files (SHA-256). */
        CONTENT;

        /** Everything. */
        public static Set<Aspect> all() {
            return EnumSet.allOf(Aspect.class);
        }

        /** Everything but these. */
        public static Set<Aspect> allBut(Aspect first, Aspect... rest) {
            return EnumSet.complementOf(EnumSet.of(first, rest));
        }
    }

    /** At most this many lines are listed: one systematic difference would otherwise list every file. */
    private static final int MAX_LINES = 40;

    /** The differences of {@code actual} from {@code expected} in {@code aspects}; empty when none. */
    public static List<String> between(TreeSnapshot expected, TreeSnapshot actual, Set<Aspect> aspects) {
        List<String> lines = new ArrayList<>();
        Set<String> names = new TreeSet<>(expected.entries().keySet());
        names.addAll(actual.entries().keySet());
        for (String name : names) {
            Entry e = expected.entries().get(name);
            Entry a = actual.entries().get(name);
            if (e == null || a == null) {
                lines.add(name + ": " + (e == null ? "not expected, but present" : "missing"));
            } else {
                compare(name, e, a, aspects, lines);
            }
        }
        if (aspects.contains(Aspect.LINKS) && !expected.hardLinkGroups().equals(actual.hardLinkGroups())) {
            lines.add("hard link groups: " + expected.hardLinkGroups() + " ≠ " + actual.hardLinkGroups());
        }
        if (lines.size() > MAX_LINES) {
            int more = lines.size() - MAX_LINES;
            lines = new ArrayList<>(lines.subList(0, MAX_LINES));
            lines.add("... and " + more + " more");
        }
        return lines;
    }

    private static void compare(String name, Entry e, Entry a, Set<Aspect> aspects, List<String> lines) {
        Checker c = new Checker(name, e, a, lines);
        c.check(Aspect.TYPE, aspects, Entry::type);
        if (!e.type().equals(a.type())) {
            return; // the rest of two different kinds of thing says nothing more
        }
        boolean directory = e.type().equals("directory");
        boolean symlink = e.type().equals("symlink");
        c.check(Aspect.MODE, aspects, x -> Integer.toOctalString(x.permissions()));
        c.check(Aspect.OWNER, aspects, x -> x.uid() + ":" + x.gid());
        if (!directory) {
            c.check(Aspect.SIZE, aspects, Entry::size);
            c.check(Aspect.LINKS, aspects, Entry::nlink);
        }
        if (!directory && !symlink) {
            c.check(Aspect.ATIME, aspects, Entry::atimeNanos);
        }
        if (e.type().equals("file")) {
            c.check(Aspect.BLOCKS, aspects, Entry::blocks);
        }
        c.check(Aspect.MTIME, aspects, Entry::mtimeNanos);
        c.check(Aspect.XATTRS, aspects, Entry::xattrs);
        c.check(Aspect.TARGET, aspects, Entry::target);
        c.check(Aspect.CONTENT, aspects, Entry::sha256);
    }

    private record Checker(String name, Entry expected, Entry actual, List<String> lines) {
        void check(Aspect aspect, Set<Aspect> wanted, Function<Entry, Object> value) {
            Object e = value.apply(expected);
            Object a = value.apply(actual);
            if (wanted.contains(aspect) && !Objects.equals(e, a)) {
                lines.add(name + ": " + aspect.name().toLowerCase(java.util.Locale.ROOT) + " " + e + " ≠ " + a);
            }
        }
    }

    private TreeDifferences() {}
}
