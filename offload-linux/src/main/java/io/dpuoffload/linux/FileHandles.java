package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * File handles: {@code name_to_handle_at(2)} turns an inode into a few bytes that name it for as long as
 * it exists, {@code open_by_handle_at(2)} opens it again from them. A file server keeps the bytes instead
 * of a descriptor per inode (as NFS servers and virtiofsd do).
 *
 * <p>Opening by handle needs CAP_DAC_READ_SEARCH in the effective set: the kernel drops it from a thread
 * whose fsuid is not 0 (see {@link ThreadCredentials}), so call {@link #open} as root. With that
 * capability the kernel reaches any inode of the file system named by the handle, wherever it is, unless
 * the handle is {@link #CONNECTABLE}: then (Linux 6.13+) it answers ESTALE for an inode it cannot reach
 * from the directory given as {@code mountFd}.
 */
public final class FileHandles {
    /** MAX_HANDLE_SZ (linux/exportfs.h): the kernel refuses larger buffers. */
    public static final int MAX_HANDLE_BYTES = 128;

    /**
     * AT_HANDLE_CONNECTABLE (Linux 6.13): the handle also names the parent directory, so the kernel can
     * rebuild the inode's path when opening it and checks that the path lies beneath the mount fd given
     * to {@link #open}. File systems that cannot decode a parent (tmpfs) answer EOPNOTSUPP; large handles
     * (overlayfs) EOVERFLOW.
     */
    public static final int CONNECTABLE = 0x002;

    /**
     * AT_HANDLE_FID (Linux 6.5): a handle that only identifies the inode, as fanotify reports it, on any
     * file system fanotify can report (also those whose handles cannot be opened). Never opened.
     */
    public static final int FID = 0x200;

    /** FILEID_IS_CONNECTABLE: set in the type of a handle encoded with {@link #CONNECTABLE}. */
    private static final int TYPE_IS_CONNECTABLE = 0x10000;

    /** struct file_handle: u32 handle_bytes, int handle_type, then the bytes. */
    private static final int HEADER_BYTES = 8;

    private static final MethodHandle NAME_TO_HANDLE_AT = Libc.function(
            "name_to_handle_at", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle OPEN_BY_HANDLE_AT =
            Libc.function("open_by_handle_at", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    /**
     * An encoded handle.
     *
     * @param type the file system's handle type (opaque)
     * @param bytes the handle (opaque)
     * @param mountId the mount the path was on when encoded (as in /proc/self/mountinfo)
     */
    public record FileHandle(int type, byte[] bytes, int mountId) {
        /** Whether the kernel checks, when opening it, that the inode is beneath the mount fd. */
        public boolean connectable() {
            return (type & TYPE_IS_CONNECTABLE) != 0;
        }

        /**
         * The same inode, opened wherever it now is (a connectable handle without its check): for a
         * caller that only names the inode to the kernel through the descriptor, never reaches it.
         */
        public FileHandle anywhere() {
            return new FileHandle(type & ~TYPE_IS_CONNECTABLE, bytes, mountId);
        }
    }

    private FileHandles() {}

    /** name_to_handle_at(dirfd, path, ..., flags), e.g. flags AT_SYMLINK_FOLLOW | {@link #CONNECTABLE}. */
    public static FileHandle encode(int dirfd, byte[] path, int flags) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment handle = s.allocate(HEADER_BYTES + MAX_HANDLE_BYTES, 4);
            handle.set(JAVA_INT, 0, MAX_HANDLE_BYTES);
            MemorySegment mountId = s.allocate(4, 4);
            Downcalls.once(s, "name_to_handle_at", path, e ->
                    (int) NAME_TO_HANDLE_AT.invokeExact(e, dirfd, s.cString(path), handle, mountId, flags));
            int size = handle.get(JAVA_INT, 0);
            byte[] bytes = handle.asSlice(HEADER_BYTES, size).toArray(JAVA_BYTE);
            return new FileHandle(handle.get(JAVA_INT, 4), bytes, mountId.get(JAVA_INT, 0));
        }
    }

    /**
     * open_by_handle_at(mountFd, handle, flags): {@code mountFd} is an open directory (not O_PATH) on the
     * handle's file system. ESTALE when the inode is gone (or, for a connectable handle, out of reach).
     */
    public static int open(int mountFd, FileHandle handle, int flags) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment request = s.allocate(HEADER_BYTES + handle.bytes().length, 4);
            request.set(JAVA_INT, 0, handle.bytes().length);
            request.set(JAVA_INT, 4, handle.type());
            MemorySegment.copy(handle.bytes(), 0, request, JAVA_BYTE, HEADER_BYTES, handle.bytes().length);
            while (true) {
                int r;
                try {
                    r = (int) OPEN_BY_HANDLE_AT.invokeExact(s.errnoState(), mountFd, request, flags);
                } catch (Throwable t) {
                    throw Libc.unexpected(t);
                }
                if (r >= 0) {
                    return r;
                }
                int errno = s.errno();
                if (errno != Errno.EINTR) {
                    throw new ErrnoException("open_by_handle_at", errno);
                }
            }
        }
    }

    /**
     * The id of the mount {@code fd} is on, from {@code /proc/self/fdinfo} (which every file system has,
     * unlike handles): what {@link FileHandle#mountId} is compared with.
     */
    public static int mountIdOf(int fd) throws ErrnoException {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("mnt_id:")) {
                    return Integer.parseInt(line.substring("mnt_id:".length()).trim());
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            throw new ErrnoException("mnt_id of fd " + fd + " (" + e.getMessage() + ")", Errno.EIO);
        }
        throw new ErrnoException("mnt_id of fd " + fd + " (not in fdinfo)", Errno.EIO);
    }
}
