package io.dpuoffload.exec.config;

import io.dpuoffload.api.yaml.SpecReader;
import java.nio.file.Path;

/**
 * Reads {@link ExecConfig} from YAML ({@link ExecFile}):
 *
 * <pre>
 * node: host-1
 * listen: tcp://198.51.100.1:7300      # the host; the DPU gives --server instead
 * pki: /etc/dpu-offload/pki
 * peers: [dpu-1]
 * allow: [/usr/bin/qemu-system-x86_64] # host: exact program paths the DPU may run
 * files: [/var/lib/libvirt]           # host: where inherited regular files may be opened again
 * dropEnvironment: [SSH_AUTH_SOCK]     # client: variables not carried to the host
 * </pre>
 */
public final class ExecConfigLoader {
    public static ExecConfig load(Path file) {
        return SpecReader.read(file, ExecFile.class, ExecFile::problems).toConfig();
    }

    public static ExecConfig parse(String yaml) {
        return SpecReader.read(yaml, "", ExecFile.class, ExecFile::problems).toConfig();
    }

    private ExecConfigLoader() {}
}
