package io.dpuoffload.intercept;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Pidfds;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import java.nio.file.Path;

/**
 * An intercepted caller's connect made here, on its own socket (a copy of its descriptor, so the
 * caller's socket is the one connected), to a path in this process's view. A connect handler makes it
 * instead of letting the call continue in the kernel when it must see the answer: a refused connect
 * can then still be carried to the peer.
 *
 * <p>The path is reached through the descriptor of its directory ({@code /proc/self/fd/N/name}):
 * in our view it runs through the offload root and may exceed the 108 bytes of {@code sun_path}.
 */
final class LocalConnect {
    private LocalConnect() {}

    /** connect(2) of pid's descriptor {@code fd} to {@code path}: 0, or -errno as the kernel answered. */
    static int onCallersSocket(int pid, int fd, Path path) throws ErrnoException {
        int socket = Pidfds.copyFdOfProcess(pid, fd);
        try {
            int directory = FileCalls.openat(
                    Flags.AT_FDCWD, path.getParent().toString(), Flags.O_PATH | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
            try {
                return UnixSockets.connect(
                        socket, SocketName.path("/proc/self/fd/" + directory + "/" + path.getFileName()));
            } finally {
                FileCalls.closeQuietly(directory);
            }
        } finally {
            FileCalls.closeQuietly(socket);
        }
    }
}
