package io.dpuoffload.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The few facts about a process the topology reads from /proc. */
final class ProcFs {

    private static final int SIGTERM = 15;

    private ProcFs() {}

    /**
     * True when the process has a SIGTERM handler. The init of a PID namespace never sees a signal it has no handler
     * for (other than SIGKILL), so SIGTERM to a shell or {@code sleep} running as init does nothing, and waiting for
     * it to act would only slow teardown.
     */
    static boolean catchesSigterm(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("SigCgt:")) {
                    long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (mask & (1L << (SIGTERM - 1))) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** True when the process has exited: no such pid, a different process under the same pid, or a zombie. */
    static boolean isGone(ProcessHandle process) {
        if (!process.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // pid (comm) STATE ...: comm may contain spaces and parentheses, so look after the last ')'.
            char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }
}
