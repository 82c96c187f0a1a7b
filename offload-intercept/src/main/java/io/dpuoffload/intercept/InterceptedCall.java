package io.dpuoffload.intercept;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Pidfds;
import io.dpuoffload.linux.Seccomp;

/**
 * One intercepted system call, stopped in its caller until it is answered: continued in the kernel,
 * or given a result or an errno. A handler answers each call it is given exactly once; until then
 * the caller waits (a caller killed meanwhile makes the answer a no-op). A caller whose wait a signal
 * ends makes the call again; the answer goes to that (see {@link CallsInFlight}).
 */
public final class InterceptedCall {
    private final int listener;
    private final Seccomp.Notification notification;
    private final CallsInFlight inFlight;

    /** The notification the caller waits on now: a restarted call comes as a new one. */
    private long waitingOn;

    private boolean answered;
    private Answer undelivered;
    private long undeliveredSince;

    InterceptedCall(int listener, Seccomp.Notification notification, CallsInFlight inFlight) {
        this.listener = listener;
        this.notification = notification;
        this.inFlight = inFlight;
        this.waitingOn = notification.id();
    }

    /** A call tracked by nobody: its answer goes to this notification or nowhere. */
    InterceptedCall(int listener, Seccomp.Notification notification) {
        this(listener, notification, null);
    }

    /** The calling thread's id (as the kernel reports it: a thread, not necessarily its process). */
    public int pid() {
        return notification.pid();
    }

    /** This architecture's number of the call. */
    public int syscall() {
        return notification.syscall();
    }

    /** The call's six arguments, as the caller passed them. */
    public long argument(int index) {
        return notification.args()[index];
    }

    /** Lets the call continue in the kernel, as if it had not been intercepted. */
    public void proceed() {
        give(new Answer.Proceed());
    }

    /** The call returns {@code value}. */
    public void returns(long value) {
        give(new Answer.Result(value, 0));
    }

    /** The call fails with {@code errno}. */
    public void fails(int errno) {
        give(new Answer.Result(0, errno));
    }

    /** The call answers as a kernel call does: {@code result} 0 or more is returned, -errno fails. */
    public void answer(int result) {
        if (result < 0) {
            fails(-result);
        } else {
            returns(result);
        }
    }

    /**
     * A copy of our {@code fd} replaces the caller's {@code targetFd}, and the call returns 0.
     * {@code fd} stays ours to close.
     */
    void answerWithFd(int fd, int targetFd, boolean closeOnExec) {
        give(new Answer.Socket(fd, targetFd, closeOnExec, false));
    }

    /** {@code length} bytes of the caller's memory at {@code address}. */
    public byte[] readCallerMemory(long address, int length) throws ErrnoException {
        return Pidfds.readMemory(pid(), address, length);
    }

    /** Writes {@code bytes} into the caller's memory at {@code address}. */
    public void writeCallerMemory(long address, byte[] bytes) throws ErrnoException {
        Pidfds.writeMemory(pid(), address, bytes);
    }

    private synchronized void give(Answer answer) {
        if (answered) {
            return; // answered before (a handler that failed after answering), or abandoned
        }
        int given = answer.giveTo(listener, waitingOn);
        if (given == -Errno.ENOENT && inFlight != null) {
            undelivered = answer.kept(); // a signal ended the wait: the call comes again
            undeliveredSince = System.nanoTime();
            return;
        }
        if (given == 0 && inFlight != null && answer instanceof Answer.Socket socket) {
            inFlight.socketGiven(this, socket.fd(), socket.targetFd());
        }
        settle();
    }

    /**
     * Whether {@code next}, from this call's thread, is this call made again; if so it waits on
     * {@code next} from now on, and an answer given meanwhile goes to it.
     */
    synchronized boolean madeAgainAs(Seccomp.Notification next) {
        if (answered || next.syscall() != syscall() || !sameArguments(next.args())) {
            return false;
        }
        waitingOn = next.id();
        if (undelivered != null) {
            Answer answer = undelivered;
            undelivered = null;
            if (answer.giveTo(listener, waitingOn) == -Errno.ENOENT) {
                undelivered = answer;
                undeliveredSince = System.nanoTime();
                return true;
            }
            answer.discard();
            settle();
        }
        return true;
    }

    /** Forgets this call: the caller went on to another one; a later answer goes nowhere. */
    synchronized void abandon() {
        answered = true;
        if (undelivered != null) {
            undelivered.discard();
            undelivered = null;
        }
    }

    /** Abandons this call if its answer has waited for the call's return since before {@code deadline}. */
    synchronized boolean abandonIfUndeliveredSince(long deadline) {
        if (undelivered == null || undeliveredSince - deadline > 0) {
            return false;
        }
        abandon();
        return true;
    }

    private void settle() {
        answered = true;
        if (inFlight != null) {
            inFlight.answered(this);
        }
    }

    /** The arguments of this call, as its caller passed them. */
    long[] arguments() {
        return notification.args();
    }

    private boolean sameArguments(long[] others) {
        long[] mine = notification.args();
        for (int i = 0; i < mine.length; i++) {
            if (mine[i] != others[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "system call " + syscall() + " of pid " + pid();
    }
}
