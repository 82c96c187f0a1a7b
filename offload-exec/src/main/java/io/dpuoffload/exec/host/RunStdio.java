package io.dpuoffload.exec.host;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Terminals;

/**
 * A program's stdio on the host: three pipes, or, when the client's stdin is a terminal, a new
 * pseudo-terminal (stdout and stderr then arrive merged, as over ssh -t). Our ends relay them; the
 * program's ends are closed here once it has them.
 *
 * @param childIn the program's stdin (with a terminal, -1: it opens {@code terminal} instead)
 * @param terminal the pty slave's path, or null
 * @param toProgram where we write its stdin
 * @param fromOut where we read its stdout (the pty master, with a terminal)
 * @param fromErr where we read its stderr; -1 with a terminal
 * @param master the pty master, for window sizes; -1 without a terminal
 */
record RunStdio(
        int childIn, int childOut, int childErr, byte[] terminal, int toProgram, int fromOut, int fromErr, int master) {

    static RunStdio pipes() throws ErrnoException {
        int[] in = FileCalls.pipe2(Flags.O_CLOEXEC);
        int[] out;
        int[] err;
        try {
            out = FileCalls.pipe2(Flags.O_CLOEXEC);
        } catch (ErrnoException e) {
            close(in);
            throw e;
        }
        try {
            err = FileCalls.pipe2(Flags.O_CLOEXEC);
        } catch (ErrnoException e) {
            close(in);
            close(out);
            throw e;
        }
        return new RunStdio(in[0], out[1], err[1], null, in[1], out[0], err[0], -1);
    }

    static RunStdio terminal(Terminals.WindowSize window) throws ErrnoException {
        Terminals.Pty pty = Terminals.open(window);
        int writer;
        try {
            writer = FileCalls.fcntl(pty.master(), Flags.F_DUPFD_CLOEXEC, 3); // closed apart from the reader
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(pty.master());
            throw e;
        }
        return new RunStdio(-1, -1, -1, pty.slavePath(), writer, pty.master(), -1, writer);
    }

    /** After the spawn: the program holds its ends (or opened the terminal) and ours must not keep them open. */
    void closeChildEnds() {
        close(new int[] {childIn, childOut, childErr});
    }

    void closeAll() {
        close(new int[] {childIn, childOut, childErr, toProgram, fromOut, fromErr});
    }

    private static void close(int[] fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                FileCalls.closeQuietly(fd);
            }
        }
    }
}
