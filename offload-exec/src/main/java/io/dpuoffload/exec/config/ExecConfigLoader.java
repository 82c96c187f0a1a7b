package io.dpuoffload.exec.config;

import io.dpuoffload.config.ConfigException;
import io.dpuoffload.config.YamlFields;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads {@link ExecConfig} from YAML:
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
        return YamlFields.load(file, ExecConfigLoader::parse);
    }

    public static ExecConfig parse(String yaml) {
        YamlFields root = YamlFields.parse(yaml);
        root.allowOnly(Set.of("node", "listen", "pki", "peers", "allow", "files", "dropEnvironment"));
        String node = root.requiredText("node", "host-1");
        String listen = root.optionalText("listen", null);
        Path pki = Path.of(root.optionalText("pki", "/etc/dpu-offload/pki"));
        if (!pki.isAbsolute()) {
            throw new ConfigException(root.field("pki") + ": '" + pki + "' must be an absolute path");
        }
        List<String> allow = root.texts("allow");
        for (int i = 0; i < allow.size(); i++) {
            String program = allow.get(i);
            if (!program.startsWith("/")
                    || !Path.of(program).normalize().toString().equals(program)) {
                throw new ConfigException(
                        root.field("allow") + "[" + i + "]: '" + program
                                + "' must be an exact absolute path (no '.', '..' or trailing '/'), e.g. /usr/bin/qemu-system-x86_64");
            }
        }
        List<String> files = root.texts("files");
        for (int i = 0; i < files.size(); i++) {
            if (!files.get(i).startsWith("/")) {
                throw new ConfigException(root.field("files") + "[" + i + "]: '" + files.get(i)
                        + "' must be an absolute directory, e.g. /var/lib/libvirt");
            }
        }
        return new ExecConfig(
                node,
                listen,
                pki.normalize(),
                new LinkedHashSet<>(root.texts("peers")),
                new LinkedHashSet<>(allow),
                root.texts("dropEnvironment"),
                files);
    }

    private ExecConfigLoader() {}
}
