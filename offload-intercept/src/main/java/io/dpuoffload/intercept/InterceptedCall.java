package io.dpuoffload.intercept;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Pidfds;
import io.dpuoffload.linux.Seccomp;

/**
 * One intercepted system call, stopped in its caller until it is answered: continued in the kernel,
 * or given a result or an errno. A handler answers each call it is given exactly once; until then
 * the caller waits (a caller killed meanwhile makes the answer a no-op).
 */
public final class InterceptedCall {
    private final int listener;
    private final Seccomp.Notification notification;

    InterceptedCall(int listener, Seccomp.Notification notification) {
        this.listener = listener;
        this.notification = notification;
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
        Seccomp.proceed(listener, notification.id());
    }

    /** The call returns {@code value}. */
    public void returns(long value) {
        Seccomp.answer(listener, notification.id(), value, 0);
    }

    /** The call fails with {@code errno}. */
    public void fails(int errno) {
        Seccomp.answer(listener, notification.id(), 0, errno);
    }

    /** The call answers as a kernel call does: {@code result} 0 or more is returned, -errno fails. */
    public void answer(int result) {
        if (result < 0) {
            fails(-result);
        } else {
            returns(result);
        }
    }

    /** Whether the caller still waits for the answer (false once it was killed). */
    public boolean stillWaiting() {
        return Seccomp.stillWaiting(listener, notification.id());
    }

    /** Puts a copy of our {@code fd} in the caller at its {@code targetFd}: 0, or -errno. */
    int installFd(int fd, int targetFd, boolean closeOnExec) {
        return Seccomp.installFd(listener, notification.id(), fd, targetFd, closeOnExec);
    }

    /** {@code length} bytes of the caller's memory at {@code address}. */
    public byte[] readCallerMemory(long address, int length) throws ErrnoException {
        return Pidfds.readMemory(pid(), address, length);
    }

    /** Writes {@code bytes} into the caller's memory at {@code address}. */
    public void writeCallerMemory(long address, byte[] bytes) throws ErrnoException {
        Pidfds.writeMemory(pid(), address, bytes);
    }

    @Override
    public String toString() {
        return "system call " + syscall() + " of pid " + pid();
    }
}
