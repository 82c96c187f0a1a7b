package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * mount(2) and umount2(2), with the {@code MS_*} and {@code MNT_*} flags. Needs CAP_SYS_ADMIN in the mount
 * namespace's owning user namespace. Mounts made here are visible to the whole mount namespace (and, on a
 * shared mount, propagate to its peers): whoever mounts must unmount, in a finally.
 */
public final class Mounts {
    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_SYNCHRONOUS = 16;
    public static final long MS_REMOUNT = 32;
    public static final long MS_MANDLOCK = 64;
    public static final long MS_DIRSYNC = 128;
    public static final long MS_NOSYMFOLLOW = 256;
    public static final long MS_NOATIME = 1024;
    public static final long MS_NODIRATIME = 2048;
    public static final long MS_BIND = 4096;
    public static final long MS_MOVE = 8192;
    public static final long MS_REC = 16384;
    public static final long MS_SILENT = 32768;
    public static final long MS_UNBINDABLE = 1L << 17;
    public static final long MS_PRIVATE = 1L << 18;
    public static final long MS_SLAVE = 1L << 19;
    public static final long MS_SHARED = 1L << 20;
    public static final long MS_RELATIME = 1L << 21;
    public static final long MS_STRICTATIME = 1L << 24;
    public static final long MS_LAZYTIME = 1L << 25;

    /** umount2: force, even if busy (FUSE: aborts the connection). */
    public static final int MNT_FORCE = 1;
    /** umount2: detach now, clean up when the last user goes ("lazy unmount"). */
    public static final int MNT_DETACH = 2;

    public static final int MNT_EXPIRE = 4;
    /** umount2: do not follow a symlink at the target. */
    public static final int UMOUNT_NOFOLLOW = 8;

    private static final MethodHandle MOUNT =
            Libc.function("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 =
            Libc.function("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private Mounts() {}

    /**
     * mount(2). {@code source}, {@code fstype} and {@code data} may be null (e.g. for MS_REMOUNT, MS_BIND or
     * a propagation change); {@code data} is the file system's option string, e.g. {@code "size=16m"} for
     * tmpfs or {@code "fd=5,rootmode=40000,user_id=0,group_id=0"} for fuse.
     */
    public static void mount(String source, String target, String fstype, long flags, String data)
            throws ErrnoException {
        byte[] targetBytes = Bytes.of(target);
        try (Scratch s = Scratch.acquire()) {
            int r;
            try {
                r = (int) MOUNT.invokeExact(
                        s.errnoState(),
                        s.cStringOrNull(Bytes.of(source)),
                        s.cString(targetBytes),
                        s.cStringOrNull(Bytes.of(fstype)),
                        flags,
                        s.cStringOrNull(Bytes.of(data)));
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r == -1) {
                throw new ErrnoException("mount", targetBytes, s.errno());
            }
        }
    }

    /** umount2(2): {@link #MNT_DETACH}, {@link #MNT_FORCE}, {@link #UMOUNT_NOFOLLOW}; EINVAL if not a mount point. */
    public static void umount2(String target, int flags) throws ErrnoException {
        byte[] targetBytes = Bytes.of(target);
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(s, "umount2", targetBytes, e -> (int) UMOUNT2.invokeExact(e, s.cString(targetBytes), flags));
        }
    }
}
