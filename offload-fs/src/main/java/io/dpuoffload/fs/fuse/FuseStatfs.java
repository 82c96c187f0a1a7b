package io.dpuoffload.fs.fuse;

/**
 * {@code struct fuse_kstatfs}: the STATFS reply, as statvfs(3) reports it.
 *
 * @param blocks total data blocks, in {@code frsize} units
 * @param bfree free blocks
 * @param bavail free blocks for unprivileged users
 * @param files total inodes
 * @param ffree free inodes
 * @param bsize preferred I/O size
 * @param namelen longest file name
 * @param frsize fragment size, the unit of the block counts
 */
public record FuseStatfs(
        long blocks, long bfree, long bavail, long files, long ffree, int bsize, int namelen, int frsize) {}
