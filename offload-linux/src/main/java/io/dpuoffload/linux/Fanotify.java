package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * fanotify(7) in the mode that reports file identifiers (Linux 5.9+), plus what it takes to match
 * its events to files one holds: their identifiers ({@link FileHandles#FID}) and thread ids ({@link
 * ThreadIds}). Events are read with {@link FileCalls#readSome} and decoded by the caller.
 */
public final class Fanotify {
    public static final int FAN_CLOEXEC = 0x1;
    public static final int FAN_NONBLOCK = 0x2;
    public static final int FAN_CLASS_NOTIF = 0x0;
    public static final int FAN_UNLIMITED_MARKS = 0x20;
    /** Events carry the thread id that caused them, not the process id. */
    public static final int FAN_REPORT_TID = 0x100;

    public static final int FAN_REPORT_FID = 0x200;
    public static final int FAN_REPORT_DIR_FID = 0x400;
    public static final int FAN_REPORT_NAME = 0x800;
    public static final int FAN_REPORT_DFID_NAME = FAN_REPORT_DIR_FID | FAN_REPORT_NAME;

    public static final int FAN_MARK_ADD = 0x1;
    public static final int FAN_MARK_REMOVE = 0x2;

    public static final long FAN_MODIFY = 0x2;
    public static final long FAN_ATTRIB = 0x4;
    public static final long FAN_MOVED_FROM = 0x40;
    public static final long FAN_MOVED_TO = 0x80;
    public static final long FAN_CREATE = 0x100;
    public static final long FAN_DELETE = 0x200;
    public static final long FAN_DELETE_SELF = 0x400;
    public static final long FAN_Q_OVERFLOW = 0x4000;
    public static final long FAN_ONDIR = 0x4000_0000L;

    /** struct fanotify_event_metadata's version this decoder knows. */
    public static final int METADATA_VERSION = 3;

    public static final int INFO_FID = 1;
    public static final int INFO_DFID_NAME = 2;
    public static final int INFO_DFID = 3;

    private static final MethodHandle INIT =
            Libc.function("fanotify_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MARK = Libc.function(
            "fanotify_mark", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS));

    private Fanotify() {}

    /** fanotify_init(2): a notification group; read its events from the returned descriptor. */
    public static int init(int flags, int eventFileFlags) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return (int) Downcalls.once(s, "fanotify_init", e -> (int) INIT.invokeExact(e, flags, eventFileFlags));
        }
    }

    /**
     * fanotify_mark(2) on the inode behind {@code fd}. An O_PATH descriptor is not accepted as the
     * object itself (EBADF), so the inode is named through its /proc magic link.
     */
    public static void markInode(int group, int flags, long mask, int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            int r;
            try {
                r = (int) MARK.invokeExact(
                        s.errnoState(), group, flags, mask, Flags.AT_FDCWD, s.cString(Bytes.of("/proc/self/fd/" + fd)));
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r == -1) {
                throw new ErrnoException("fanotify_mark", s.errno());
            }
        }
    }

    /**
     * The file handle fanotify reports for the inode behind {@code fd} (any descriptor, O_PATH
     * included): the handle type as 4 bytes, little-endian, then the handle's bytes.
     */
    public static byte[] fileId(int fd) throws ErrnoException {
        FileHandles.FileHandle handle = FileHandles.encode(fd, new byte[0], Flags.AT_EMPTY_PATH | FileHandles.FID);
        return ByteBuffer.allocate(4 + handle.bytes().length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(handle.type())
                .put(handle.bytes())
                .array();
    }
}
