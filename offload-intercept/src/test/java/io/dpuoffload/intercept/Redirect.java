package io.dpuoffload.intercept;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import java.nio.file.Path;

/** A connect handler of the tests': whatever the caller connects to, it gets a socket connected to one listener. */
final class Redirect {
    private Redirect() {}

    /** Answers each connect with a socket of ours connected to {@code listener}; EIO when that fails. */
    static ConnectHandler to(Path listener) {
        return call -> {
            try {
                int fd = UnixSockets.socket(UnixSockets.SOCK_STREAM);
                try {
                    int connected = UnixSockets.connect(fd, SocketName.path(listener.toString()));
                    if (connected != 0) {
                        call.fails(-connected);
                        return;
                    }
                    call.connectedTo(fd, call.callerSocket());
                } finally {
                    FileCalls.closeQuietly(fd);
                }
            } catch (Exception e) {
                call.fails(Errno.EIO);
            }
        };
    }
}
