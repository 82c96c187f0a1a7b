package io.dpuoffload.exec.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One side's offload-exec: the channel (the host listens, the DPU connects) and, on the host, the
 * programs the DPU may run (exact paths; nothing else).
 *
 * @param listen the endpoint the host serves, or null on the DPU
 * @param allow the host programs clients may start, as exact absolute paths
 * @param environment on the client, the names of its environment variables that are not carried
 *     (the rest go as they are)
 * @param files on the host, the directories under which a regular file a program inherits may be
 *     opened again (deny by default: an inherited file elsewhere is not carried, with a warning)
 */
public record ExecConfig(
        String node,
        String listen,
        Path pki,
        Set<String> peers,
        Set<String> allow,
        List<String> environment,
        List<String> files) {}
