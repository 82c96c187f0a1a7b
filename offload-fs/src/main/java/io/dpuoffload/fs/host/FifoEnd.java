package io.dpuoffload.fs.host;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.EventFd;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Poll;
import java.lang.foreign.MemorySegment;

/**
 * The host's end of a shared fifo that a DPU handle opened, with the mode the DPU asked for (so the
 * host's kernel counts its readers and writers truly, and a reader sees end-of-file when the last
 * writer goes, on either side).
 *
 * <p>Its descriptor is non-blocking, and a read or write that must wait polls it together with a
 * wake-up eventfd. {@link #release} (the DPU's RELEASE) sets the eventfd, so an operation still
 * waiting ends at once and the descriptor is closed when the last one has left. close(2) alone
 * would not do: Linux does not wake a read blocked on a descriptor another thread closes, so the
 * pool thread would stay, and with it a reader (or writer) of the fifo that nobody has any more.
 *
 * <p>A request carries the DPU file's flags (fuse_read_in and fuse_write_in): with O_NONBLOCK, set
 * by the caller at open or later with fcntl, as Go's runtime does for every file it can poll, the
 * operation answers EAGAIN instead of waiting, exactly as the host's fifo would. O_NONBLOCK has the
 * same value on x86_64 and aarch64, so those flags need no conversion.
 */
final class FifoEnd {
    private final int fd;
    private final int wake;

    /** Operations inside the descriptor now; guarded by {@code this}. */
    private int users;

    private boolean released;

    /** Events a waiter for the DPU's poll watches now (see {@link PollWaiter}); guarded by {@code this}. */
    private int watched;

    /** The DPU kernel's poll handle for this file, 0 until it polls with a notification asked for. */
    private volatile long pollHandle;

    private FifoEnd(int fd, int wake) {
        this.fd = fd;
        this.wake = wake;
    }

    /** Takes ownership of {@code fd}, a fifo opened for the DPU (closed on failure). */
    static FifoEnd of(int fd) throws ErrnoException {
        try {
            // Our own open file: its flags are ours to change (nobody shares it).
            FileCalls.fcntl(fd, Flags.F_SETFL, FileCalls.fcntl(fd, Flags.F_GETFL, 0) | Flags.O_NONBLOCK);
            return new FifoEnd(fd, EventFd.eventfd(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK));
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
    }

    int fd() {
        return fd;
    }

    /** Reads what is there, at least one byte; 0 at end-of-file (no writer left). */
    int read(MemorySegment target, long size, boolean nonBlocking) throws ErrnoException {
        enter();
        try {
            while (true) {
                long count = FileCalls.readSome(fd, target, size);
                if (count >= 0) {
                    return (int) count;
                }
                if (count != -Errno.EAGAIN || nonBlocking) {
                    throw new ErrnoException("read (shared fifo)", (int) -count);
                }
                awaitOrReleased(Poll.POLLIN);
            }
        } finally {
            leave();
        }
    }

    /**
     * Writes all of {@code data} unless the DPU asked not to wait (then what fits now, or EAGAIN);
     * EPIPE when no reader is left, or the count written before the last one went.
     */
    int write(MemorySegment data, long length, boolean nonBlocking) throws ErrnoException {
        enter();
        try {
            long written = 0;
            while (written < length) {
                long count = FileCalls.writeSome(fd, data.asSlice(written), length - written);
                if (count > 0) {
                    written += count;
                    if (nonBlocking) {
                        break;
                    }
                    continue;
                }
                if (count == -Errno.EAGAIN && !nonBlocking) {
                    awaitOrReleased(Poll.POLLOUT);
                    continue;
                }
                if (written > 0) {
                    break; // as write(2): what was written before the error
                }
                throw new ErrnoException("write (shared fifo)", count == 0 ? Errno.EAGAIN : (int) -count);
            }
            return (int) written;
        } finally {
            leave();
        }
    }

    /** Readiness now for {@code events}, without waiting. */
    int readiness(int events) throws ErrnoException {
        enter();
        try {
            return Poll.poll(fd, events, 0);
        } finally {
            leave();
        }
    }

    /** Waits until the fifo is ready for {@code events}: true, or false once the handle is released. */
    boolean await(int events) {
        try {
            enter();
        } catch (ErrnoException e) {
            return false;
        }
        try {
            awaitOrReleased(events);
            return true;
        } catch (ErrnoException e) {
            return false;
        } finally {
            leave();
        }
    }

    /** Remembers the DPU kernel's poll handle, to notify it when this end becomes ready later. */
    void pollHandle(long kh) {
        pollHandle = kh;
    }

    long pollHandle() {
        return pollHandle;
    }

    /** Claims the watch of {@code events} for one waiter: false when one already watches them. */
    synchronized boolean startWatching(int events) {
        if (released || (events & ~watched) == 0) {
            return false;
        }
        watched |= events;
        return true;
    }

    synchronized void stopWatching(int events) {
        watched &= ~events;
    }

    /** The DPU let go of the handle: whatever still waits ends now; the last to leave closes. */
    void release() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            try {
                EventFd.add(wake, 1);
            } catch (ErrnoException e) {
                // cannot happen with a counter far from its limit; the waiters' polls would still end
                // when the other side goes
            }
            if (users > 0) {
                return;
            }
        }
        closeBoth();
    }

    private void awaitOrReleased(int events) throws ErrnoException {
        short[] revents = new short[2];
        Poll.poll(new int[] {fd, wake}, new short[] {(short) events, Poll.POLLIN}, revents, -1);
        if (revents[1] != 0) {
            throw new ErrnoException("shared fifo (handle released)", Errno.EBADF);
        }
    }

    private synchronized void enter() throws ErrnoException {
        if (released) {
            throw new ErrnoException("shared fifo (handle released)", Errno.EBADF);
        }
        users++;
    }

    private void leave() {
        synchronized (this) {
            users--;
            if (!released || users > 0) {
                return;
            }
        }
        closeBoth();
    }

    private void closeBoth() {
        FileCalls.closeQuietly(fd);
        FileCalls.closeQuietly(wake);
    }
}
