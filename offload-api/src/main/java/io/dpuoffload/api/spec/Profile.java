package io.dpuoffload.api.spec;

import java.nio.file.Path;
import java.util.List;

/**
 * What one offloaded workload needs, as data (the standalone agent's YAML, the operator's custom
 * resource): the host directories to share and how, the host sockets its daemons connect to
 * (directories as the daemons see them in the root, usually inside a share), the host programs it
 * may run, the daemons to start in the offload root, and files of its own there.
 */
public record Profile(
        String name,
        List<Share> shares,
        List<Path> sockets,
        List<Path> programs,
        List<Daemon> daemons,
        List<RootFile> files) {

    public Profile {
        shares = Lists.orEmpty(shares);
        sockets = Lists.orEmpty(sockets);
        programs = Lists.orEmpty(programs);
        daemons = Lists.orEmpty(daemons);
        files = Lists.orEmpty(files);
    }
}
