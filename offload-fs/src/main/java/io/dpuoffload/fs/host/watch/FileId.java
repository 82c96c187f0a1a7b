package io.dpuoffload.fs.host.watch;

import java.util.Arrays;

/**
 * A host inode as fanotify names it: the file system's id and a file handle (its type, then its
 * bytes). Unique among the inodes that exist at once, so it maps an event to the node the DPU
 * knows the inode by.
 */
final class FileId {
    private final long fsid;
    private final byte[] handle;
    private final int hash;

    FileId(long fsid, byte[] handle) {
        this.fsid = fsid;
        this.handle = handle;
        this.hash = 31 * Long.hashCode(fsid) + Arrays.hashCode(handle);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FileId id && id.fsid == fsid && Arrays.equals(id.handle, handle);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return Long.toHexString(fsid) + ":" + java.util.HexFormat.of().formatHex(handle);
    }
}
