package io.dpuoffload.api.spec;

import java.nio.file.Path;
import java.util.List;

/**
 * What one offloaded workload needs, as data (the standalone agent's YAML, the operator's custom
 * resource): the host directories to share and how, the host sockets its daemons connect to
 * (directories as the daemons see them in the root, usually inside a share), the daemons' own
 * sockets that host programs connect to (the other way), the host programs it may run, the daemons
 * to start in the offload root, and files and accounts of its own there.
 *
 * @param users accounts the daemons look up in the root that the DPU may not have
 * @param groups groups the daemons look up in the root that the DPU may not have
 * @param daemonSockets sockets the daemons listen on, as they see them in the root and outside every
 *     share: the host listens at the same path and carries each connection to the daemon (a
 *     container shim on the host reporting back to containerd on the DPU)
 */
public record Profile(
        String name,
        List<Share> shares,
        List<Path> sockets,
        List<Path> daemonSockets,
        List<Path> programs,
        List<Daemon> daemons,
        List<RootFile> files,
        List<RootUser> users,
        List<RootGroup> groups) {

    public Profile {
        shares = Lists.orEmpty(shares);
        sockets = Lists.orEmpty(sockets);
        daemonSockets = Lists.orEmpty(daemonSockets);
        programs = Lists.orEmpty(programs);
        daemons = Lists.orEmpty(daemons);
        files = Lists.orEmpty(files);
        users = Lists.orEmpty(users);
        groups = Lists.orEmpty(groups);
    }
}
