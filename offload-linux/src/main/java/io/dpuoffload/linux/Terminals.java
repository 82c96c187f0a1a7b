package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Terminals: whether a descriptor is one, its window size, and a new pseudo-terminal pair (the
 * ioctl numbers are asm-generic's, the same on x86_64 and aarch64).
 */
public final class Terminals {
    private static final long TCGETS = 0x5401;
    private static final long TCSETS = 0x5402;
    private static final long TIOCGPTN = 0x80045430L;
    private static final long TIOCSPTLCK = 0x40045431L;
    private static final long TIOCGWINSZ = 0x5413;
    private static final long TIOCSWINSZ = 0x5414;
    /** termios is 60 bytes on Linux; room to spare. */
    private static final int TERMIOS_SIZE = 64;

    private static final MethodHandle POSIX_OPENPT =
            Libc.function("posix_openpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GRANTPT = Libc.function("grantpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UNLOCKPT = Libc.function("unlockpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PTSNAME_R =
            Libc.function("ptsname_r", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));

    /** A pseudo-terminal: the master descriptor (ours) and the path of its slave (the program's). */
    public record Pty(int master, byte[] slavePath) {}

    /** Rows and columns. */
    public record WindowSize(int rows, int columns) {}

    private Terminals() {}

    public static boolean isTerminal(int fd) {
        try (Scratch s = Scratch.acquire()) {
            return Ioctl.succeeds(s, fd, TCGETS, s.allocate(TERMIOS_SIZE, 8));
        }
    }

    public static WindowSize windowSize(int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment size = s.allocate(8, 2); // struct winsize: rows, cols, xpixel, ypixel
            Ioctl.call(s, fd, TIOCGWINSZ, size, "TIOCGWINSZ");
            return new WindowSize(
                    Short.toUnsignedInt(size.get(JAVA_SHORT, 0)), Short.toUnsignedInt(size.get(JAVA_SHORT, 2)));
        }
    }

    /** Sets the size; the kernel then sends SIGWINCH to the terminal's foreground process group. */
    public static void setWindowSize(int fd, WindowSize window) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment size = s.allocate(8, 2);
            size.set(JAVA_SHORT, 0, (short) window.rows());
            size.set(JAVA_SHORT, 2, (short) window.columns());
            Ioctl.call(s, fd, TIOCSWINSZ, size, "TIOCSWINSZ");
        }
    }

    /** A new pseudo-terminal of {@code window}'s size; the master is close-on-exec and not our terminal. */
    public static Pty open(WindowSize window) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            int master =
                    (int) POSIX_OPENPT.invokeExact(s.errnoState(), Flags.O_RDWR | Flags.O_NOCTTY | Flags.O_CLOEXEC);
            if (master < 0) {
                throw new ErrnoException("posix_openpt", s.errno());
            }
            try {
                if ((int) GRANTPT.invokeExact(s.errnoState(), master) != 0) {
                    throw new ErrnoException("grantpt", s.errno());
                }
                if ((int) UNLOCKPT.invokeExact(s.errnoState(), master) != 0) {
                    throw new ErrnoException("unlockpt", s.errno());
                }
                MemorySegment name = s.allocate(128, 1);
                int r = (int) PTSNAME_R.invokeExact(s.errnoState(), master, name, 128L);
                if (r != 0) {
                    throw new ErrnoException("ptsname_r", r);
                }
                setWindowSize(master, window);
                return new Pty(
                        master, name.getString(0, StandardCharsets.US_ASCII).getBytes(StandardCharsets.US_ASCII));
            } catch (ErrnoException e) {
                FileCalls.closeQuietly(master);
                throw e;
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** The number of the pseudo-terminal whose master is {@code master}: its slave is {@code pts/N}. */
    public static int ptyIndex(int master) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment index = s.allocate(4, 4);
            Ioctl.call(s, master, TIOCGPTN, index, "TIOCGPTN");
            return index.get(JAVA_INT, 0);
        }
    }

    /**
     * A pseudo-terminal of number {@code index} in the devpts instance mounted at {@code devpts} (its
     * slave is {@code devpts/index}), in raw mode, unlocked; its master is close-on-exec and
     * non-blocking. The kernel gives each new pty the lowest free number, so those below {@code
     * index} are taken for a moment and given back.
     *
     * @throws ErrnoException EBUSY when {@code index} is in use in that instance
     */
    public static Pty openNumbered(String devpts, int index) throws ErrnoException {
        java.util.List<Integer> below = new java.util.ArrayList<>();
        try {
            while (true) {
                int master = FileCalls.openat(
                        Flags.AT_FDCWD,
                        devpts + "/ptmx",
                        Flags.O_RDWR | Flags.O_NOCTTY | Flags.O_CLOEXEC | Flags.O_NONBLOCK,
                        0);
                int got;
                try {
                    got = ptyIndex(master);
                } catch (ErrnoException e) {
                    FileCalls.closeQuietly(master);
                    throw e;
                }
                if (got < index) {
                    below.add(master);
                    continue;
                }
                if (got > index) {
                    FileCalls.closeQuietly(master);
                    throw new ErrnoException("open pty " + index + " in " + devpts + " (it is in use)", Errno.EBUSY);
                }
                try {
                    setLocked(master, false);
                    makeRaw(master);
                } catch (ErrnoException e) {
                    FileCalls.closeQuietly(master);
                    throw e;
                }
                return new Pty(master, (devpts + "/" + index).getBytes(StandardCharsets.US_ASCII));
            }
        } finally {
            below.forEach(FileCalls::closeQuietly);
        }
    }

    private static void setLocked(int master, boolean locked) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment value = s.allocate(4, 4);
            value.set(JAVA_INT, 0, locked ? 1 : 0);
            Ioctl.call(s, master, TIOCSPTLCK, value, "TIOCSPTLCK");
        }
    }

    /**
     * cfmakeraw(3) on the terminal of {@code fd} (a pty master sets its slave's): no echo, no line
     * editing, no signals from keys, no output processing, 8-bit characters, reads of one byte.
     */
    public static void makeRaw(int fd) throws ErrnoException {
        // struct termios (asm-generic): c_iflag, c_oflag, c_cflag, c_lflag (u32 each), c_line, c_cc[19]
        final int iflag = 0;
        final int oflag = 4;
        final int cflag = 8;
        final int lflag = 12;
        final int cc = 17;
        try (Scratch s = Scratch.acquire()) {
            MemorySegment t = s.allocate(TERMIOS_SIZE, 8);
            Ioctl.call(s, fd, TCGETS, t, "TCGETS");
            // IGNBRK BRKINT PARMRK ISTRIP INLCR IGNCR ICRNL IXON; OPOST; ECHO ECHONL ICANON ISIG IEXTEN; CSIZE PARENB
            t.set(JAVA_INT, iflag, t.get(JAVA_INT, iflag) & ~(0x1 | 0x2 | 0x8 | 0x20 | 0x40 | 0x80 | 0x100 | 0x400));
            t.set(JAVA_INT, oflag, t.get(JAVA_INT, oflag) & ~0x1);
            t.set(JAVA_INT, lflag, t.get(JAVA_INT, lflag) & ~(0x8 | 0x40 | 0x2 | 0x1 | 0x8000));
            t.set(JAVA_INT, cflag, (t.get(JAVA_INT, cflag) & ~(0x30 | 0x100)) | 0x30); // CS8
            t.set(java.lang.foreign.ValueLayout.JAVA_BYTE, cc + 6, (byte) 1); // VMIN
            t.set(java.lang.foreign.ValueLayout.JAVA_BYTE, cc + 5, (byte) 0); // VTIME
            Ioctl.call(s, fd, TCSETS, t, "TCSETS");
        }
    }
}
