package io.dpuoffload.api.spec;

import java.util.List;
import java.util.Map;

/**
 * A daemon started in the offload root.
 *
 * @param command the program, an absolute path in the root, and its arguments
 * @param environment added to the agent's own for this daemon
 * @param after the daemons it starts after (their readiness awaited); each listed above it
 * @param ready when it counts as ready; absent: once started
 * @param restart when it is started again after it ended; default {@code on-failure}
 * @param health how to tell, while it runs, that it works; absent: it works while it runs
 */
public record Daemon(
        String name,
        List<String> command,
        Map<String, String> environment,
        List<String> after,
        Readiness ready,
        RestartPolicy restart,
        Health health) {

    public Daemon {
        command = Lists.orEmpty(command);
        environment = Lists.orEmpty(environment);
        after = Lists.orEmpty(after);
        restart = restart == null ? RestartPolicy.ON_FAILURE : restart;
    }

    /** Started from {@code command}, ready once started, restarted on failure, no health check. */
    public static Daemon of(String name, List<String> command) {
        return new Daemon(name, command, null, null, null, null, null);
    }

    public Daemon withReady(Readiness value) {
        return new Daemon(name, command, environment, after, value, restart, health);
    }

    public Daemon withRestart(RestartPolicy value) {
        return new Daemon(name, command, environment, after, ready, value, health);
    }

    public Daemon withHealth(Health value) {
        return new Daemon(name, command, environment, after, ready, restart, value);
    }
}
