package io.dpuoffload.agent.dpu;

import java.nio.file.Path;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * libvirtd's health, as a client sees it: a connection through libvirt's own client library
 * (libvirt-java) that lists the domains. The agent is outside the root, so a local URI such as
 * {@code qemu:///system} is turned into the same driver over the root's socket. An agent without the
 * library (the DaemonSet's image has none) asks through the root's own virsh instead ({@link
 * VirshInRoot}).
 */
final class LibvirtHealth implements HealthProbe {
    private final String uri;
    private final VirshInRoot virsh;

    LibvirtHealth(String uriInRoot, Path root) {
        this.uri = fromOutside(uriInRoot, root);
        this.virsh = new VirshInRoot(uriInRoot, root);
    }

    /**
     * {@code qemu:///system} in the root (the system daemon's socket there) is {@code
     * qemu+unix:///system?socket=ROOT/run/libvirt/libvirt-sock} here; any other URI (a transport, a
     * host, parameters, a driver in the client itself) is the same everywhere.
     */
    static String fromOutside(String uriInRoot, Path root) {
        int scheme = uriInRoot.indexOf(":///system");
        if (scheme < 0
                || !uriInRoot.endsWith(":///system")
                || uriInRoot.substring(0, scheme).contains("+")) {
            return uriInRoot;
        }
        return uriInRoot.substring(0, scheme) + "+unix:///system?socket=" + root.resolve("run/libvirt/libvirt-sock");
    }

    @Override
    public String target() {
        return uri;
    }

    /** How many domains libvirtd has (running, defined); throws, naming why, when it does not answer. */
    @Override
    public String check() throws Exception {
        Connect connection;
        try {
            connection = new Connect(uri);
        } catch (LinkageError e) {
            return virsh.check(); // no libvirt0 here: the root's own client
        }
        try {
            int running = connection.listDomains().length;
            int defined = connection.listDefinedDomains().length;
            return running + " running, " + defined + " defined domain(s)";
        } finally {
            try {
                connection.close();
            } catch (LibvirtException e) {
                // the answer is what counts; a failing close changes nothing about it
            }
        }
    }
}
