package io.dpuoffload.fs.fuse;

/**
 * {@code struct fuse_attr}: an inode's attributes as replies carry them. Fields declared unsigned in C
 * are kept as raw bits; times are seconds and nanoseconds since the epoch.
 *
 * @param ino the inode number st_ino shows (may differ from the FUSE node id)
 * @param blocks 512-byte blocks allocated
 * @param mode file type and permission bits (S_IFMT | 07777)
 * @param rdev the device number, in the kernel's new_encode_dev form
 * @param flags {@link FuseProtocol#ATTR_SUBMOUNT}, {@link FuseProtocol#ATTR_DAX}
 */
public record FuseAttr(
        long ino,
        long size,
        long blocks,
        long atime,
        long mtime,
        long ctime,
        int atimensec,
        int mtimensec,
        int ctimensec,
        int mode,
        int nlink,
        int uid,
        int gid,
        int rdev,
        int blksize,
        int flags) {

    /** All zero: the attributes of a negative entry, or of "." and ".." in READDIRPLUS. */
    public static final FuseAttr EMPTY = new FuseAttr(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
