package io.dpuoffload.api.status;

/**
 * One daemon of the profiles.
 *
 * @param pid while it runs; null otherwise
 * @param lastExit its last exit status (128 + the signal when killed); null before it ever ended
 * @param health its last health check; null without a check or before the first
 */
public record DaemonStatus(
        String name, boolean running, Long pid, int restarts, Integer lastExit, HealthVerdict health) {

    /** Runs, and passed its last health check if it has one. */
    public boolean ready() {
        return running && (health == null || health.healthy());
    }
}
