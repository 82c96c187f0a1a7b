package io.dpuoffload.fs.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code offloadctl fs serve --config FILE}: the host side of offload-fs.
 *
 * @param node this host's node name (its certificate's name)
 * @param listen where DPUs connect, e.g. {@code tcp://198.51.100.1:7100}
 * @param pki directory with {@code ca.crt}, {@code NODE.crt}, {@code NODE.key}
 * @param peers the DPU nodes allowed to connect (empty: any node with a certificate from the CA)
 * @param exports what is shared
 * @param maxOpenHandles open files and directories one DPU may hold (EMFILE beyond)
 */
public record FsServerConfig(
        String node, String listen, Path pki, Set<String> peers, List<ExportConfig> exports, int maxOpenHandles) {

    /** virtiofsd's default is 1,000,000 fds; a DPU's daemons need far fewer, and each costs the host an fd. */
    public static final int DEFAULT_MAX_OPEN_HANDLES = 4096;

    public Optional<ExportConfig> export(String name) {
        return exports.stream().filter(e -> e.name().equals(name)).findFirst();
    }
}
