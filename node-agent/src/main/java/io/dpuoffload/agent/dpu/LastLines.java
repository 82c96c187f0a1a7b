package io.dpuoffload.agent.dpu;

import java.util.ArrayDeque;
import java.util.List;

/**
 * A daemon's last lines of output, for the status once it has ended: what a daemon that fails at
 * start says about why is in them (a missing user, a bad configuration), and the agent's log may be
 * far away or gone. Bounded in lines and in length per line.
 */
final class LastLines {
    static final int KEPT = 20;
    static final int LONGEST = 400;

    private final ArrayDeque<String> lines = new ArrayDeque<>();

    synchronized void add(String line) {
        if (lines.size() == KEPT) {
            lines.removeFirst();
        }
        lines.addLast(line.length() > LONGEST ? line.substring(0, LONGEST) + "..." : line);
    }

    /** Forgets the last run's: a new one starts. */
    synchronized void clear() {
        lines.clear();
    }

    synchronized List<String> snapshot() {
        return List.copyOf(lines);
    }
}
