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
    private static final long TIOCGWINSZ = 0x5413;
    private static final long TIOCSWINSZ = 0x5414;
    /** termios is 60 bytes on Linux; room to spare. */
    private static final int TERMIOS_SIZE = 64;

    private static final MethodHandle IOCTL =
            Libc.variadic("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
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
            return (int) IOCTL.invokeExact(s.errnoState(), fd, TCGETS, s.allocate(TERMIOS_SIZE, 8)) == 0;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    public static WindowSize windowSize(int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment size = s.allocate(8, 2); // struct winsize: rows, cols, xpixel, ypixel
            if ((int) IOCTL.invokeExact(s.errnoState(), fd, TIOCGWINSZ, size) != 0) {
                throw new ErrnoException("ioctl(TIOCGWINSZ)", s.errno());
            }
            return new WindowSize(
                    Short.toUnsignedInt(size.get(JAVA_SHORT, 0)), Short.toUnsignedInt(size.get(JAVA_SHORT, 2)));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** Sets the size; the kernel then sends SIGWINCH to the terminal's foreground process group. */
    public static void setWindowSize(int fd, WindowSize window) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment size = s.allocate(8, 2);
            size.set(JAVA_SHORT, 0, (short) window.rows());
            size.set(JAVA_SHORT, 2, (short) window.columns());
            if ((int) IOCTL.invokeExact(s.errnoState(), fd, TIOCSWINSZ, size) != 0) {
                throw new ErrnoException("ioctl(TIOCSWINSZ)", s.errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
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
}
