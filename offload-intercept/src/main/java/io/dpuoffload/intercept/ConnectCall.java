package io.dpuoffload.intercept;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An intercepted {@code connect(fd, addr, len)}: what it names, and the ways to answer it that a
 * {@link ConnectHandler} needs beyond those of every call (continue, fail): connect the caller's own
 * socket here and answer as the kernel did, or put a socket connected elsewhere in its place.
 */
public final class ConnectCall {
    private final InterceptedCall call;

    ConnectCall(InterceptedCall call) {
        this.call = call;
    }

    public int pid() {
        return call.pid();
    }

    /** The caller's socket: the descriptor it connects. */
    public int socketFd() {
        return (int) call.argument(0);
    }

    /** The Unix path it connects to; empty for another family, an abstract or unreadable address. */
    public Optional<ConnectPath> unixPath() {
        return Optional.ofNullable(CallerAddress.unixPathOf(call.pid(), call.argument(1), call.argument(2)));
    }

    /** Lets the connect continue in the kernel. */
    public void proceed() {
        call.proceed();
    }

    /** The connect fails with {@code errno}. */
    public void fails(int errno) {
        call.fails(errno);
    }

    /** The connect answers as the kernel's did: 0, or -errno. */
    public void answer(int result) {
        call.answer(result);
    }

    /**
     * Connects the caller's own socket to {@code path} (in this process's view) here, as the kernel
     * would; the caller is not answered yet. Blocks while a blocking socket waits for an accept.
     *
     * @return 0, or -errno as the kernel answered
     * @throws ErrnoException when the caller's descriptor cannot be reached (EBADF, ENOTSOCK: what
     *     connect itself would say)
     */
    public int connectHere(Path path) throws ErrnoException {
        return LocalConnect.onCallersSocket(call.pid(), socketFd(), path);
    }

    /** What the caller's socket is: its type and the flags a replacement must keep. */
    public CallerSocket callerSocket() throws ErrnoException {
        return CallerSocket.inspect(call.pid(), socketFd());
    }

    /**
     * Answers the connect with {@code fd}, a socket connected elsewhere: a copy of it replaces the
     * caller's socket at the same descriptor number, with {@code socket}'s flags, and the call
     * returns 0. {@code fd} stays ours to close; its O_NONBLOCK is made the caller's (the copy shares
     * the open file description). A caller killed meanwhile is left alone.
     */
    public void connectedTo(int fd, CallerSocket socket) {
        try {
            int flags = FileCalls.fcntl(fd, Flags.F_GETFL, 0);
            int wanted = socket.nonBlocking() ? flags | Flags.O_NONBLOCK : flags & ~Flags.O_NONBLOCK;
            if (wanted != flags) {
                FileCalls.fcntl(fd, Flags.F_SETFL, wanted);
            }
        } catch (ErrnoException e) {
            call.fails(e.errno());
            return;
        }
        call.answerWithFd(fd, socketFd(), socket.closeOnExec());
    }

    @Override
    public String toString() {
        return "connect of pid " + pid();
    }
}
