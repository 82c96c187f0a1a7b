package io.dpuoffload.agent.profile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one offloaded workload needs, as data (the same schema the operator's CRD carries): the
 * host paths to share and how, the host sockets its daemons connect to (directories as the daemons
 * see them in the root, usually inside a share), the host programs it may
 * run, and the daemons to start in the offload root.
 */
public record Profile(
        String name,
        List<Share> shares,
        List<Path> sockets,
        List<Path> programs,
        List<Daemon> daemons,
        List<File> files) {

    /**
     * A file the daemons find in the root in place of the DPU's own (their configuration for life in
     * the root, so the DPU's stays as its package left it).
     *
     * @param path where in the root
     */
    public record File(Path path, String content) {}

    /**
     * A host directory mounted in the offload root through offload-fs.
     *
     * @param name the export's name on the host
     * @param hostPath the directory on the host
     * @param path where it appears in the root (the host path unless the profile says otherwise)
     * @param cache {@code ttl} for data directories, {@code none} for /proc, /sys and cgroups
     * @param procView the host's /proc, with the DPU's own processes resolved locally
     */
    public record Share(String name, Path hostPath, Path path, String cache, boolean readOnly, boolean procView) {}

    /**
     * A daemon started in the offload root.
     *
     * @param after the daemons it starts after (their readiness awaited)
     * @param readySocket a Unix socket (a path in the root) that means ready once something listens there; null:
     *     ready once started
     * @param readyTimeout how long readiness may take before the start counts as failed
     * @param restart {@code always}, {@code on-failure} or {@code never}
     * @param health how to tell, while it runs, that it works; null: it works while it runs
     */
    public record Daemon(
            String name,
            List<String> command,
            Map<String, String> environment,
            List<String> after,
            Path readySocket,
            Duration readyTimeout,
            String restart,
            Health health) {}

    /**
     * A daemon's health check: libvirt's, asking the daemon for its domains through the libvirt client
     * library at {@code libvirt} (a URI as a client in the root would use it) every {@code interval};
     * {@code failures} failed checks in a row restart the daemon.
     */
    public record Health(String libvirt, Duration interval, int failures) {}
}
