package io.dpuoffload.fs.fuse;

/**
 * {@code struct fuse_file_lock}: a byte-range lock in GETLK/SETLK/SETLKW requests and the GETLK reply.
 *
 * @param start first byte
 * @param end last byte, inclusive ({@code OFFSET_MAX}, i.e. {@link Long#MAX_VALUE}, for "to the end")
 * @param type F_RDLCK (0), F_WRLCK (1) or F_UNLCK (2)
 * @param pid the owner's thread group id (in a reply: the conflicting lock's, 0 if not local)
 */
public record FuseFileLock(long start, long end, int type, int pid) {}
