package io.dpuoffload.agent.dpu;

import io.dpuoffload.api.spec.Health;
import java.nio.file.Path;

/**
 * The one place that turns a profile's health check into the probe that runs it, by kind; the
 * supervisor restarts on failed checks the same whatever the kind. A new kind (docker's API) is a
 * case here.
 */
final class HealthChecks {
    private HealthChecks() {}

    /** The probe for {@code health}, asking from outside the root at {@code root}. */
    static HealthProbe probe(Health health, Path root) {
        return switch (health) {
            case Health.Libvirt libvirt -> new LibvirtHealth(libvirt.libvirt(), root);
            case Health.Containerd containerd -> new ContainerdHealth(containerd.containerd(), root);
            case Health.Socket socket -> new SocketHealth(socket.socket(), root);
        };
    }
}
