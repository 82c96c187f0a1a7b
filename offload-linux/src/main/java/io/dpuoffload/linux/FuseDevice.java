package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The kernel end of a FUSE file system: {@code /dev/fuse}. Open it, mount a {@code fuse.<name>} file system
 * that names the descriptor ({@link #mount}), then read one request per {@link #read} and write one reply per
 * {@link #write}; the first request is INIT (opcode 26). The protocol's structures belong to the file
 * system (offload-fs), not here.
 *
 * <p>Errors that mean something here: {@code read} fails with ENODEV once the file system is unmounted or
 * the connection aborted (the session is over); {@code write} fails with ENOENT when the request was
 * interrupted and the kernel no longer waits for its reply (ignore it), and EINVAL for a malformed reply.
 * EINTR is retried. Both block the OS thread: read on platform threads.
 */
public final class FuseDevice {
    public static final String PATH = "/dev/fuse";

    /** FUSE_MIN_READ_BUFFER: a read into a smaller buffer fails with EINVAL. */
    public static final int MIN_READ_BUFFER = 8192;

    /** The mount's root is a directory (S_IFDIR, in octal as the kernel parses it). */
    public static final int ROOTMODE_DIRECTORY = Flags.S_IFDIR;

    /** FUSE_DEV_IOC_CLONE = _IOR(229, 0, uint32_t): attach a new descriptor to an existing session. */
    static final long FUSE_DEV_IOC_CLONE = (2L << 30) | (4L << 16) | (229L << 8);

    private static final MethodHandle IOCTL_PTR =
            Libc.variadic("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);

    private FuseDevice() {}

    /** Opens /dev/fuse read-write, close-on-exec. */
    public static int open() throws ErrnoException {
        return FileCalls.openat(Flags.AT_FDCWD, PATH, Flags.O_RDWR | Flags.O_CLOEXEC, 0);
    }

    /**
     * A second descriptor on the same session (FUSE_DEV_IOC_CLONE), so several threads can each read
     * requests from their own descriptor; a reply must go to the descriptor its request came from.
     */
    public static int cloneSession(int sessionFd) throws ErrnoException {
        int fd = open();
        try (Scratch s = Scratch.acquire()) {
            MemorySegment arg = s.allocate(JAVA_INT);
            arg.set(JAVA_INT, 0, sessionFd);
            int r;
            try {
                r = (int) IOCTL_PTR.invokeExact(s.errnoState(), fd, FUSE_DEV_IOC_CLONE, arg);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r == -1) {
                int errno = s.errno();
                FileCalls.close(fd);
                throw new ErrnoException("ioctl(FUSE_DEV_IOC_CLONE)", errno);
            }
            return fd;
        }
    }

    /**
     * The mount options that attach a mount to descriptor {@code fd}: {@code
     * fd=N,rootmode=40000,user_id=U,group_id=G}, plus {@code ,allow_other} (let users other than the
     * mounter in) and any {@code extra} (e.g. {@code max_read=1048576}, {@code default_permissions}).
     */
    public static String mountOptions(int fd, int userId, int groupId, boolean allowOther, String extra) {
        StringBuilder sb = new StringBuilder(96)
                .append("fd=")
                .append(fd)
                .append(",rootmode=")
                .append(Integer.toOctalString(ROOTMODE_DIRECTORY))
                .append(",user_id=")
                .append(Integer.toUnsignedString(userId))
                .append(",group_id=")
                .append(Integer.toUnsignedString(groupId));
        if (allowOther) {
            sb.append(",allow_other");
        }
        if (extra != null && !extra.isEmpty()) {
            sb.append(',').append(extra);
        }
        return sb.toString();
    }

    /**
     * Mounts a {@code fuse.<subtype>} file system served through {@code fd} at {@code mountpoint}, with the
     * given {@code MS_*} flags (MS_NOSUID | MS_NODEV is the usual choice) and {@link #mountOptions}. The
     * kernel queues INIT at once; mount(2) does not wait for the reply.
     */
    public static void mount(String source, String mountpoint, String subtype, long flags, String options)
            throws ErrnoException {
        Mounts.mount(source, mountpoint, "fuse." + subtype, flags, options);
    }

    /** Reads one whole request into {@code buffer} (at least {@link #MIN_READ_BUFFER}, and max_write + 4 KiB). */
    public static int read(int fd, MemorySegment buffer) throws ErrnoException {
        return FileCalls.read(fd, buffer, "read(/dev/fuse)");
    }

    /** Writes one whole reply: the first {@code length} bytes of {@code buffer}. */
    public static int write(int fd, MemorySegment buffer, long length) throws ErrnoException {
        return FileCalls.write(fd, buffer, length, "write(/dev/fuse)");
    }
}
