package io.dpuoffload.intercept;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Pidfds;
import io.dpuoffload.linux.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What an intercepted caller's socket is: its type and the flags a replacement must keep. */
public record CallerSocket(int type, boolean nonBlocking, boolean closeOnExec) {
    /** Whether it is a connection socket (stream or seqpacket), not a datagram one. */
    public boolean isConnectionOriented() {
        return type == UnixSockets.SOCK_STREAM || type == UnixSockets.SOCK_SEQPACKET;
    }

    static CallerSocket inspect(int pid, int fd) throws ErrnoException {
        int copy = Pidfds.copyFdOfProcess(pid, fd);
        try {
            int type = UnixSockets.type(copy);
            int statusFlags = FileCalls.fcntl(copy, Flags.F_GETFL, 0);
            return new CallerSocket(type, (statusFlags & Flags.O_NONBLOCK) != 0, closeOnExec(pid, fd));
        } finally {
            FileCalls.closeQuietly(copy);
        }
    }

    /** FD_CLOEXEC is the descriptor's, not the file's: /proc shows it as O_CLOEXEC in fdinfo's flags. */
    private static boolean closeOnExec(int pid, int fd) {
        try {
            for (String line :
                    Files.readAllLines(Path.of("/proc", Integer.toString(pid), "fdinfo", Integer.toString(fd)))) {
                if (line.startsWith("flags:")) {
                    return (Integer.parseInt(line.substring(6).trim(), 8) & Flags.O_CLOEXEC) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the caller is gone or the format changed: default below
        }
        return false;
    }
}
