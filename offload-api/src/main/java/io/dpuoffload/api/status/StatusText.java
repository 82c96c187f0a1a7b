package io.dpuoffload.api.status;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link AgentStatus} for people, one line a thing: the pair and its root, the conditions, each
 * step of the root ({@code APPLIED  offload-fs ...}), each daemon ({@code daemon libvirtd
 * running, pid 41, restarts 0, healthy: ...}).
 */
public final class StatusText {
    private StatusText() {}

    public static List<String> lines(AgentStatus status) {
        List<String> lines = new ArrayList<>();
        lines.add("pair " + status.pair() + ": offload root " + status.root());
        for (Condition condition : status.conditions()) {
            lines.add(String.format(
                    "%-16s %-7s %s%s",
                    condition.type(),
                    condition.status(),
                    condition.reason(),
                    condition.message() == null || condition.message().isEmpty() ? "" : ": " + condition.message()));
        }
        if (status.channel() != null) {
            lines.add("channel " + status.channel().endpoint() + " "
                    + (status.channel().connected() ? "connected" : "not connected"));
        }
        for (MountStatus mount : status.mounts()) {
            lines.add(String.format(
                    "  %-8s %s%s",
                    mount.phase(),
                    mount.description(),
                    mount.detail() == null || mount.detail().isEmpty() ? "" : "  (" + mount.detail() + ")"));
        }
        for (DaemonStatus daemon : status.daemons()) {
            lines.add("  daemon " + daemon(daemon));
            if (!daemon.running()) {
                daemon.lastLines().forEach(said -> lines.add("         | " + said));
            }
        }
        return lines;
    }

    public static String daemon(DaemonStatus daemon) {
        StringBuilder line = new StringBuilder(String.format(
                "%-12s %s, restarts %d",
                daemon.name(), daemon.running() ? "running, pid " + daemon.pid() : "not running", daemon.restarts()));
        if (!daemon.running() && daemon.lastExit() != null) {
            line.append(", last exit ").append(daemon.lastExit());
        }
        HealthVerdict health = daemon.health();
        if (health != null) {
            line.append(
                    health.healthy()
                            ? ", healthy: " + health.detail()
                            : ", unhealthy (" + health.failures() + " of " + health.threshold() + "): "
                                    + health.detail());
        }
        return line.toString();
    }
}
