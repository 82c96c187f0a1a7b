package io.dpuoffload.fs.config;

import io.dpuoffload.api.yaml.SpecReader;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads {@link FsServerConfig} from YAML ({@link FsServerFile}) and refuses anything doubtful at
 * start, naming every field that is wrong:
 *
 * <pre>
 * node: host-1
 * listen: tcp://198.51.100.1:7100
 * pki: /etc/dpu-offload/pki
 * peers: [dpu-1]
 * maxOpenHandles: 4096
 * exports:
 *   - name: libvirt
 *     path: /var/lib/libvirt
 *     readOnly: false
 *     cache: ttl          # none | ttl
 *     ttl: 1s
 *     procView: false
 *     sharedFifos: [/run] # fifos here connect host and DPU processes (default: none)
 *     devices: false      # may the DPU's root create device nodes
 *     allow:              # operation: [path prefixes inside the export]; unlisted = denied
 *       all: [/]          # shorthand for every operation
 *       write: [/images]
 * </pre>
 */
public final class FsServerConfigLoader {
    /** Entries and attributes are trusted this long by default: short, as daemons share files with the host. */
    public static final Duration DEFAULT_TTL = io.dpuoffload.api.spec.Share.DEFAULT_TTL;

    public static FsServerConfig load(Path file) {
        return SpecReader.read(file, FsServerFile.class, FsServerFile::problems).toConfig();
    }

    public static FsServerConfig parse(String yaml) {
        return SpecReader.read(yaml, "", FsServerFile.class, FsServerFile::problems)
                .toConfig();
    }

    private FsServerConfigLoader() {}
}
