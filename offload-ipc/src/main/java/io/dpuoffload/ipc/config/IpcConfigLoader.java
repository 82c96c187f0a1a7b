package io.dpuoffload.ipc.config;

import io.dpuoffload.api.yaml.SpecReader;
import java.nio.file.Path;

/**
 * Reads {@link IpcConfig} from YAML ({@link IpcFile}), refusing anything doubtful at start with
 * every wrong field named:
 *
 * <pre>
 * node: host-1
 * listen: tcp://198.51.100.1:7200   # the host; the DPU gives --server instead
 * pki: /etc/dpu-offload/pki
 * peers: [dpu-1]
 * maxConnections: 4096
 * resumeWithin: 60s                  # carried connections outlive a lost channel this long (0s: not)
 * forwards:                          # sockets made here, carried to the peer
 *   - listen: /run/dpuo/libvirt-sock
 *     to: /var/run/libvirt/libvirt-sock
 *     type: stream                   # stream | seqpacket
 *     mode: "0600"                   # who here may connect (octal; default owner only)
 * allow: [/var/run/libvirt, "@qemu-"] # what the peer may connect to here
 * transparent:                       # launched programs' connects under local reach the peer's peer
 *   - local: /var/lib/dpuo/root/run/libvirt/qemu
 *     peer: /run/libvirt/qemu
 * </pre>
 */
public final class IpcConfigLoader {
    public static IpcConfig load(Path file) {
        return SpecReader.read(file, IpcFile.class, IpcFile::problems).toConfig();
    }

    public static IpcConfig parse(String yaml) {
        return SpecReader.read(yaml, "", IpcFile.class, IpcFile::problems).toConfig();
    }

    private IpcConfigLoader() {}
}
