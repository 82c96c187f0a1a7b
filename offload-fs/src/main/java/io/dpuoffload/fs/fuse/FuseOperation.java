package io.dpuoffload.fs.fuse;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The arguments of a FUSE request, one record per {@link FuseOpcode}, as {@link FuseRequestDecoder}
 * reads them from the structures of {@code include/uapi/linux/fuse.h}. The node a request is about is
 * in its {@link FuseInHeader#nodeid()}. Names are the bytes the kernel sent, without the terminating
 * NUL and unchecked: a file system must still refuse empty names, names with '/', and "." or ".." where
 * they make no sense. Fields declared unsigned in C are raw bits. Buffers share the request's memory and
 * are valid only as long as it is.
 */
public sealed interface FuseOperation {

    /** The opcode this record answers to: the inverse of the decoder's dispatch. */
    default FuseOpcode opcode() {
        return switch (this) {
            case Lookup _ -> FuseOpcode.LOOKUP;
            case Forget _ -> FuseOpcode.FORGET;
            case Getattr _ -> FuseOpcode.GETATTR;
            case Setattr _ -> FuseOpcode.SETATTR;
            case Readlink _ -> FuseOpcode.READLINK;
            case Symlink _ -> FuseOpcode.SYMLINK;
            case Mknod _ -> FuseOpcode.MKNOD;
            case Mkdir _ -> FuseOpcode.MKDIR;
            case Unlink _ -> FuseOpcode.UNLINK;
            case Rmdir _ -> FuseOpcode.RMDIR;
            case Rename _ -> FuseOpcode.RENAME;
            case Link _ -> FuseOpcode.LINK;
            case Open _ -> FuseOpcode.OPEN;
            case Read _ -> FuseOpcode.READ;
            case Write _ -> FuseOpcode.WRITE;
            case Statfs _ -> FuseOpcode.STATFS;
            case Release _ -> FuseOpcode.RELEASE;
            case Fsync _ -> FuseOpcode.FSYNC;
            case Setxattr _ -> FuseOpcode.SETXATTR;
            case Getxattr _ -> FuseOpcode.GETXATTR;
            case Listxattr _ -> FuseOpcode.LISTXATTR;
            case Removexattr _ -> FuseOpcode.REMOVEXATTR;
            case Flush _ -> FuseOpcode.FLUSH;
            case Init _ -> FuseOpcode.INIT;
            case Opendir _ -> FuseOpcode.OPENDIR;
            case Readdir _ -> FuseOpcode.READDIR;
            case Releasedir _ -> FuseOpcode.RELEASEDIR;
            case Fsyncdir _ -> FuseOpcode.FSYNCDIR;
            case Getlk _ -> FuseOpcode.GETLK;
            case Setlk _ -> FuseOpcode.SETLK;
            case Setlkw _ -> FuseOpcode.SETLKW;
            case Access _ -> FuseOpcode.ACCESS;
            case Create _ -> FuseOpcode.CREATE;
            case Interrupt _ -> FuseOpcode.INTERRUPT;
            case Bmap _ -> FuseOpcode.BMAP;
            case Destroy _ -> FuseOpcode.DESTROY;
            case Ioctl _ -> FuseOpcode.IOCTL;
            case Poll _ -> FuseOpcode.POLL;
            case NotifyReply _ -> FuseOpcode.NOTIFY_REPLY;
            case BatchForget _ -> FuseOpcode.BATCH_FORGET;
            case Fallocate _ -> FuseOpcode.FALLOCATE;
            case ReaddirPlus _ -> FuseOpcode.READDIRPLUS;
            case Rename2 _ -> FuseOpcode.RENAME2;
            case Lseek _ -> FuseOpcode.LSEEK;
            case CopyFileRange _ -> FuseOpcode.COPY_FILE_RANGE;
            case SetupMapping _ -> FuseOpcode.SETUPMAPPING;
            case RemoveMapping _ -> FuseOpcode.REMOVEMAPPING;
            case Syncfs _ -> FuseOpcode.SYNCFS;
            case Tmpfile _ -> FuseOpcode.TMPFILE;
            case Statx _ -> FuseOpcode.STATX;
            case CopyFileRange64 _ -> FuseOpcode.COPY_FILE_RANGE_64;
            case Unknown _ -> FuseOpcode.UNKNOWN;
        };
    }

    // ---- Names and inodes ----

    record Lookup(byte[] name) implements FuseOperation {}

    /** Drop {@code nlookup} lookups of the header's node. No reply. */
    record Forget(long nlookup) implements FuseOperation {}

    /** FORGET for many nodes at once; the header's node id is 0. No reply. */
    record BatchForget(List<ForgetOne> forgets) implements FuseOperation {}

    /** {@code struct fuse_forget_one}. */
    record ForgetOne(long nodeid, long nlookup) {}

    /** {@code fh} is valid only with {@link FuseProtocol#GETATTR_FH} in the flags. */
    record Getattr(int getattrFlags, long fh) implements FuseOperation {}

    /** Only the fields {@code valid} names (FATTR_*) are meaningful. */
    record Setattr(
            int valid,
            long fh,
            long size,
            long lockOwner,
            long atime,
            long mtime,
            long ctime,
            int atimensec,
            int mtimensec,
            int ctimensec,
            int mode,
            int uid,
            int gid)
            implements FuseOperation {}

    /** statx(2) for attributes GETATTR lacks (7.39); ENOSYS makes the kernel use GETATTR. */
    record Statx(int getattrFlags, long fh, int sxFlags, int sxMask) implements FuseOperation {}

    record Access(int mask) implements FuseOperation {}

    record Readlink() implements FuseOperation {}

    /** Create {@code name} in the header's directory, pointing at {@code target}. */
    record Symlink(byte[] name, byte[] target) implements FuseOperation {}

    /** {@code umask} is the caller's; {@code mode} is already masked unless DONT_MASK was agreed. */
    record Mknod(int mode, int rdev, int umask, byte[] name) implements FuseOperation {}

    record Mkdir(int mode, int umask, byte[] name) implements FuseOperation {}

    record Unlink(byte[] name) implements FuseOperation {}

    record Rmdir(byte[] name) implements FuseOperation {}

    /** Move {@code oldname} of the header's directory to {@code newname} in {@code newdir}. */
    record Rename(long newdir, byte[] oldname, byte[] newname) implements FuseOperation {}

    /** RENAME with renameat2(2) flags: RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT. */
    record Rename2(long newdir, int flags, byte[] oldname, byte[] newname) implements FuseOperation {}

    /** Link the node {@code oldnodeid} as {@code newname} in the header's directory. */
    record Link(long oldnodeid, byte[] newname) implements FuseOperation {}

    /** open(2) flags and a new file's mode; answered with an entry and an open file. */
    record Create(int flags, int mode, int umask, int openFlags, byte[] name) implements FuseOperation {}

    /** O_TMPFILE in the header's directory; the kernel sends the name "/". */
    record Tmpfile(int flags, int mode, int umask, int openFlags, byte[] name) implements FuseOperation {}

    // ---- Open files ----

    /** open(2) flags (without O_CREAT, O_EXCL, O_NOCTTY) and FUSE_OPEN_* flags. */
    record Open(int flags, int openFlags) implements FuseOperation {}

    record Read(long fh, long offset, int size, int readFlags, long lockOwner, int flags) implements FuseOperation {}

    /** {@code data} holds exactly {@code size} bytes, a view of the request. */
    record Write(long fh, long offset, int size, int writeFlags, long lockOwner, int flags, ByteBuffer data)
            implements FuseOperation {}

    /** Sent on each close(2) of a descriptor; {@code lockOwner} identifies the closing file table. */
    record Flush(long fh, long lockOwner) implements FuseOperation {}

    /** The last reference to the open file is gone; {@code flags} are its open flags. */
    record Release(long fh, int flags, int releaseFlags, long lockOwner) implements FuseOperation {}

    record Fsync(long fh, int fsyncFlags) implements FuseOperation {
        /** Whether only data need reach stable storage (fdatasync). */
        public boolean datasync() {
            return (fsyncFlags & FuseProtocol.FSYNC_FDATASYNC) != 0;
        }
    }

    record Fallocate(long fh, long offset, long length, int mode) implements FuseOperation {}

    /** {@code whence} is SEEK_SET..SEEK_HOLE; the kernel only asks for SEEK_DATA and SEEK_HOLE. */
    record Lseek(long fh, long offset, int whence) implements FuseOperation {}

    /** From the header's node's {@code fhIn} to {@code nodeidOut}'s {@code fhOut}; reply is write_out. */
    record CopyFileRange(long fhIn, long offIn, long nodeidOut, long fhOut, long offOut, long len, long flags)
            implements FuseOperation {}

    /** The same, answered with a 64-bit count (7.45); ENOSYS makes the kernel use COPY_FILE_RANGE. */
    record CopyFileRange64(long fhIn, long offIn, long nodeidOut, long fhOut, long offOut, long len, long flags)
            implements FuseOperation {}

    /** {@code kh} identifies the poll handle a later NOTIFY_POLL wakes; {@code events} are POLL* bits. */
    record Poll(long fh, long kh, int flags, int events) implements FuseOperation {}

    /** Decoded only so far as to answer it (ENOTTY or ENOSYS); {@code inData} has {@code inSize} bytes. */
    record Ioctl(long fh, int flags, int cmd, long arg, int inSize, int outSize, ByteBuffer inData)
            implements FuseOperation {}

    record Getlk(long fh, long owner, FuseFileLock lock, int lkFlags) implements FuseOperation {}

    record Setlk(long fh, long owner, FuseFileLock lock, int lkFlags) implements FuseOperation {}

    /** SETLK that waits for a conflicting lock to go; the wait may be interrupted. */
    record Setlkw(long fh, long owner, FuseFileLock lock, int lkFlags) implements FuseOperation {}

    record Bmap(long block, int blocksize) implements FuseOperation {}

    // ---- Directories ----

    record Opendir(int flags, int openFlags) implements FuseOperation {}

    /** Entries from {@code offset} (0 or an offset an earlier entry gave), at most {@code size} bytes. */
    record Readdir(long fh, long offset, int size) implements FuseOperation {}

    /** As {@link Readdir}, each entry with its {@link FuseEntry}. */
    record ReaddirPlus(long fh, long offset, int size) implements FuseOperation {}

    record Releasedir(long fh, int flags, int releaseFlags, long lockOwner) implements FuseOperation {}

    record Fsyncdir(long fh, int fsyncFlags) implements FuseOperation {}

    // ---- Extended attributes ----

    /**
     * {@code value} has {@code size} bytes; {@code setxattrFlags} is 0 unless {@link
     * FuseProtocol#SETXATTR_EXT} was agreed.
     */
    record Setxattr(int size, int flags, int setxattrFlags, byte[] name, byte[] value) implements FuseOperation {}

    /** {@code size} 0 asks for the value's size only. */
    record Getxattr(int size, byte[] name) implements FuseOperation {}

    /** {@code size} 0 asks for the list's size only. */
    record Listxattr(int size) implements FuseOperation {}

    record Removexattr(byte[] name) implements FuseOperation {}

    // ---- File system and connection ----

    record Statfs() implements FuseOperation {}

    record Syncfs() implements FuseOperation {}

    /**
     * The kernel's offer. {@code flags2} is 0 unless the kernel set {@link FuseProtocol#INIT_EXT}; a
     * kernel of another major version may send only major and minor, the rest then reads 0.
     */
    record Init(int major, int minor, int maxReadahead, int flags, int flags2) implements FuseOperation {
        /** All 64 flag bits: flags2 shifted into the high word. */
        public long allFlags() {
            return Integer.toUnsignedLong(flags) | ((long) flags2 << 32);
        }
    }

    /** Sent at unmount when the kernel waits for the file system (fuseblk, virtio-fs). */
    record Destroy() implements FuseOperation {}

    /**
     * Interrupt the request {@code unique}. The header's own unique is odd (the kernel sets bit 0); a
     * reply is optional.
     */
    record Interrupt(long unique) implements FuseOperation {}

    /** Data for a RETRIEVE notification; the header's unique is the notification's. */
    record NotifyReply(long offset, int size, ByteBuffer data) implements FuseOperation {}

    /** virtio-fs DAX: map a file range into the DAX window. */
    record SetupMapping(long fh, long foffset, long len, long flags, long moffset) implements FuseOperation {}

    /** virtio-fs DAX: unmap ranges of the DAX window. */
    record RemoveMapping(List<MappingRange> ranges) implements FuseOperation {}

    /** {@code struct fuse_removemapping_one}. */
    record MappingRange(long moffset, long len) {}

    /** An opcode this protocol version does not define ({@code code} is the raw value): answer ENOSYS. */
    record Unknown(int code) implements FuseOperation {}
}
