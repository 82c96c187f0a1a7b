package io.dpuoffload.api.status;

/**
 * One daemon of the profiles.
 *
 * @param pid while it runs; null otherwise
 * @param lastExit its last exit status (128 + the signal when killed); null before it ever ended
 * @param health its last health check; null without a check or before the first
 * @param lastLines while it does not run, the last lines it printed (why it ended, often); empty
 *     while it runs
 */
public record DaemonStatus(
        String name,
        boolean running,
        Long pid,
        int restarts,
        Integer lastExit,
        HealthVerdict health,
        java.util.List<String> lastLines) {

    public DaemonStatus {
        lastLines = lastLines == null ? java.util.List.of() : java.util.List.copyOf(lastLines);
    }

    /** Runs, and passed its last health check if it has one. */
    public boolean ready() {
        return running && (health == null || health.healthy());
    }
}
