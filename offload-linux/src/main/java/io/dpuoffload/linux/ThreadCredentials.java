package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.Objects;

/**
 * Runs file-system work with another user's identity on the calling OS thread, as a file server must so that
 * the kernel checks permissions and sets owners as for the user it serves.
 *
 * <p>Made with raw system calls ({@code setfsuid}, {@code setfsgid}, {@code setgroups}), which change only
 * the calling thread: glibc's {@code setgroups()} and {@code setuid()} families broadcast the change to
 * every thread of the process, and would switch the whole JVM. The file-system ids are the ones the kernel
 * uses for permission checks and for the owner of new files; the real and effective ids stay 0, so signals,
 * ptrace and so on are unaffected.
 *
 * <p><b>Capabilities.</b> Changing the fsuid from 0 to non-zero clears the file-system capabilities from the
 * thread's effective set (CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID,
 * CAP_LINUX_IMMUTABLE, CAP_MAC_OVERRIDE, CAP_MKNOD), so permission checks then apply exactly as for that
 * user; changing it back to 0 restores them. CAP_SETUID/CAP_SETGID stay, which is what lets us switch back.
 *
 * <p><b>Threads.</b> Credentials belong to the OS thread. A virtual thread may move to another carrier at
 * any blocking point, leaving the identity behind on the old carrier (and lending it to whatever runs there
 * next), so {@link #callAs} refuses virtual threads. Anything the work does on this thread runs with the
 * identity, including the JVM's own file access (loading a class not yet loaded opens its class file). A
 * thread <em>started</em> inside the work inherits the identity for good (clone copies the creator's
 * credentials), and that includes pool threads the JDK starts lazily (ForkJoinPool workers, virtual-thread
 * carriers): keep the work to system calls, and start threads outside.
 */
public final class ThreadCredentials {
    /** What the kernel takes for "leave unchanged": never a valid id to switch to. */
    private static final int NO_ID = -1;

    /** Guess for the number of supplementary groups, to read them in one system call. */
    private static final int GROUPS_GUESS = 64;

    private static final MethodHandle SYSCALL_1 = Libc.syscall(JAVA_LONG);
    private static final MethodHandle SYSCALL_GROUPS = Libc.syscall(JAVA_LONG, ADDRESS);

    static {
        // Load what the switch and the restore use while the identity is still root's.
        Objects.requireNonNull(ErrnoException.class);
        Objects.requireNonNull(Errno.class);
    }

    private ThreadCredentials() {}

    /**
     * Runs {@code work} on this thread with file-system uid {@code uid}, gid {@code gid} and supplementary
     * groups {@code groups} (empty: none), then restores the thread's previous identity, also when the work
     * throws. Needs CAP_SETUID and CAP_SETGID (root). Calls nest.
     *
     * @throws IllegalStateException on a virtual thread, or if the previous identity cannot be restored (the
     *     thread must then not be used for further work)
     * @throws ErrnoException if the identity cannot be switched (e.g. EPERM without the capabilities)
     */
    public static <T> T callAs(int uid, int gid, int[] groups, IoCallable<T> work) throws IOException {
        requirePlatformThread();
        Objects.requireNonNull(groups, "groups");
        Objects.requireNonNull(work, "work");
        if (uid == NO_ID || gid == NO_ID) {
            throw new IllegalArgumentException("uid and gid must not be -1 (the kernel's \"unchanged\")");
        }
        Identity previous = current();
        // Only what differs is switched: a root caller of a server running as root (libvirtd,
        // containerd) switches nothing, and that was nine system calls around every operation.
        boolean changeGroups = !sameGroups(previous.groups(), groups);
        boolean changeGid = previous.gid() != gid;
        boolean changeUid = previous.uid() != uid;
        if (changeGroups) {
            setgroups(groups);
        }
        if (changeGid) {
            try {
                switchFsgid(gid);
            } catch (ErrnoException | RuntimeException e) {
                if (changeGroups) {
                    restoreGroups(previous.groups(), e);
                }
                CURRENT.remove(); // read the kernel's again rather than trust a half-undone switch
                throw e;
            }
        }
        if (changeUid) {
            try {
                switchFsuid(uid);
            } catch (ErrnoException | RuntimeException e) {
                if (changeGid) {
                    restoreFsgid(previous.gid(), e);
                }
                if (changeGroups) {
                    restoreGroups(previous.groups(), e);
                }
                CURRENT.remove();
                throw e;
            }
        }
        CURRENT.set(new Identity(uid, gid, changeGroups ? groups.clone() : previous.groups()));
        T result;
        try {
            result = work.call();
        } catch (Throwable t) {
            restore(previous, changeUid, changeGid, changeGroups, t);
            throw t;
        }
        restore(previous, changeUid, changeGid, changeGroups, null);
        return result;
    }

    /** A thread's file-system identity, as this class last set or read it. */
    private record Identity(int uid, int gid, int[] groups) {}

    /**
     * This thread's identity, kept beside the kernel's so that an unchanged one costs no system call
     * to find out; null until first read, and after a switch or restore that failed (then read
     * again). Only this class changes a thread's file-system ids; glibc's setgroups() would change
     * every thread's groups behind it, and nothing in this process calls it.
     */
    private static final ThreadLocal<Identity> CURRENT = new ThreadLocal<>();

    private static Identity current() throws ErrnoException {
        Identity known = CURRENT.get();
        if (known == null) {
            known = new Identity(fsuid(), fsgid(), groups());
            CURRENT.set(known);
        }
        return known;
    }

    /**
     * Runs {@code work} on this thread with file-system uid 0, which gives back the file-system capabilities
     * (CAP_DAC_READ_SEARCH and the others, see the class comment) that a caller's fsuid took away; the groups
     * and the fsgid stay. For the one call that needs them inside work done as a caller (opening by file
     * handle); restores the caller's fsuid after it, also when it throws.
     *
     * @throws IllegalStateException on a virtual thread, or if the previous fsuid cannot be restored
     */
    public static <T> T callAsFsRoot(IoCallable<T> work) throws IOException {
        requirePlatformThread();
        Objects.requireNonNull(work, "work");
        Identity known = CURRENT.get();
        CURRENT.remove(); // unknown inside: a nested callAs reads it
        int previousUid = switchFsuid(0);
        T result;
        try {
            result = work.call();
        } catch (Throwable t) {
            restoreFsuid(previousUid, t);
            CURRENT.set(known);
            throw t;
        }
        restoreFsuid(previousUid, null);
        CURRENT.set(known);
        return result;
    }

    private static void restoreFsuid(int uid, Throwable pending) {
        setfsid(Syscalls.SETFSUID, uid);
        if (fsuid() != uid) {
            var failure = new IllegalStateException("could not restore this thread's fsuid to " + uid);
            if (pending == null) {
                throw failure;
            }
            pending.addSuppressed(failure);
        }
    }

    /** The calling thread's file-system uid. */
    public static int fsuid() {
        return (int) setfsid(Syscalls.SETFSUID, NO_ID);
    }

    /** The calling thread's file-system gid. */
    public static int fsgid() {
        return (int) setfsid(Syscalls.SETFSGID, NO_ID);
    }

    /** The calling thread's supplementary groups (getgroups(2), which reads this thread's credentials). */
    public static int[] groups() throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            int size = GROUPS_GUESS;
            while (true) {
                MemorySegment list = s.allocate(4L * size, 4);
                long r = groupsCall(s, Syscalls.GETGROUPS, size, list);
                if (r >= 0) {
                    return list.asSlice(0, 4 * r).toArray(JAVA_INT);
                }
                int errno = s.errno();
                if (errno != Errno.EINVAL) {
                    throw new ErrnoException("getgroups", errno);
                }
                size = (int) groupsCall(s, Syscalls.GETGROUPS, 0, MemorySegment.NULL); // too small: ask the count
            }
        }
    }

    /** The kernel keeps groups sorted (as unsigned ids), so compare sets, cheaply: skip a needless setgroups. */
    private static boolean sameGroups(int[] current, int[] wanted) {
        if (current.length != wanted.length) {
            return false;
        }
        if (Arrays.equals(current, wanted)) {
            return true;
        }
        long[] a = new long[current.length];
        long[] b = new long[wanted.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = Integer.toUnsignedLong(current[i]);
            b[i] = Integer.toUnsignedLong(wanted[i]);
        }
        Arrays.sort(a);
        Arrays.sort(b);
        return Arrays.equals(a, b);
    }

    private static void requirePlatformThread() {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("ThreadCredentials.callAs on a virtual thread: credentials belong to"
                    + " the OS thread, and a virtual thread can move to another carrier thread mid-work (leaving the"
                    + " identity behind for whatever runs there next). Run identity-switched work on a platform"
                    + " thread.");
        }
    }

    /** Sets the fsuid and checks it took: setfsuid(2) reports no errors, only the previous value. */
    private static int switchFsuid(int uid) throws ErrnoException {
        int previous = (int) setfsid(Syscalls.SETFSUID, uid);
        if (fsuid() != uid) {
            throw new ErrnoException("setfsuid", Errno.EPERM);
        }
        return previous;
    }

    private static int switchFsgid(int gid) throws ErrnoException {
        int previous = (int) setfsid(Syscalls.SETFSGID, gid);
        if (fsgid() != gid) {
            throw new ErrnoException("setfsgid", Errno.EPERM);
        }
        return previous;
    }

    private static void setgroups(int[] groups) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment list = s.allocate(4L * Math.max(groups.length, 1), 4);
            MemorySegment.copy(groups, 0, list, JAVA_INT, 0, groups.length);
            if (groupsCall(s, Syscalls.SETGROUPS, groups.length, list) == -1) {
                throw new ErrnoException("setgroups", s.errno());
            }
        }
    }

    /** Back to {@code previous}, what was switched only; on a failure the thread's identity is read again next time. */
    private static void restore(Identity previous, boolean uid, boolean gid, boolean groups, Throwable pending) {
        IllegalStateException failure = null;
        if (uid) {
            setfsid(Syscalls.SETFSUID, previous.uid());
        }
        if (gid) {
            setfsid(Syscalls.SETFSGID, previous.gid());
        }
        if ((uid && fsuid() != previous.uid()) || (gid && fsgid() != previous.gid())) {
            failure = new IllegalStateException("could not restore this thread's file-system ids to " + previous.uid()
                    + "/" + previous.gid() + ": it now runs as " + fsuid() + "/" + fsgid());
        }
        if (groups) {
            try {
                setgroups(previous.groups());
            } catch (ErrnoException e) {
                failure = failure != null ? failure : new IllegalStateException("could not restore groups", e);
            }
        }
        if (failure != null) {
            CURRENT.remove();
            if (pending != null) {
                pending.addSuppressed(failure);
            } else {
                throw failure;
            }
        } else {
            CURRENT.set(previous);
        }
    }

    private static void restoreFsgid(int gid, Exception pending) {
        setfsid(Syscalls.SETFSGID, gid);
        if (fsgid() != gid) {
            pending.addSuppressed(new IllegalStateException("could not restore the fsgid to " + gid));
        }
    }

    private static void restoreGroups(int[] groups, Exception pending) {
        try {
            setgroups(groups);
        } catch (ErrnoException e) {
            pending.addSuppressed(e);
        }
    }

    private static long setfsid(long syscall, int id) {
        try (Scratch s = Scratch.acquire()) {
            try {
                // The argument is a uid_t: pass it zero-extended, as the kernel reads 32 bits of it.
                return (long) SYSCALL_1.invokeExact(s.errnoState(), syscall, Integer.toUnsignedLong(id));
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
        }
    }

    private static long groupsCall(Scratch s, long syscall, int size, MemorySegment list) {
        try {
            return (long) SYSCALL_GROUPS.invokeExact(s.errnoState(), syscall, (long) size, list);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
