package io.dpuoffload.fs.fuse;

/**
 * {@code struct fuse_entry_out}: the answer to LOOKUP, MKNOD, MKDIR, SYMLINK, LINK and CREATE, and the
 * head of each READDIRPLUS entry. Each one with a non-zero node id adds one to the kernel's lookup
 * count of that node, which FORGET later gives back.
 *
 * @param nodeid the node id the kernel will use for the inode; 0 caches a negative lookup
 * @param generation with the node id, unique over the file system's lifetime
 * @param entryValid how long the kernel may cache the name, seconds (plus {@code entryValidNsec})
 * @param attrValid how long the kernel may cache the attributes, seconds (plus {@code attrValidNsec})
 */
public record FuseEntry(
        long nodeid,
        long generation,
        long entryValid,
        int entryValidNsec,
        long attrValid,
        int attrValidNsec,
        FuseAttr attr) {

    /** A negative entry: the name does not exist, and the kernel may remember that this long. */
    public static FuseEntry negative(long entryValid, int entryValidNsec) {
        return new FuseEntry(0, 0, entryValid, entryValidNsec, 0, 0, FuseAttr.EMPTY);
    }
}
