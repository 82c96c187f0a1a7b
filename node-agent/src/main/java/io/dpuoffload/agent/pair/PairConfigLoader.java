package io.dpuoffload.agent.pair;

import io.dpuoffload.agent.profile.Profile;
import io.dpuoffload.agent.profile.ProfileLoader;
import io.dpuoffload.config.ConfigException;
import io.dpuoffload.config.YamlFields;
import io.dpuoffload.exec.host.ExecServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads a {@link PairConfig} from YAML, with every profile it names:
 *
 * <pre>
 * pair: rack3-node7
 * host: {node: host-1, endpoint: tcp://198.51.100.1:7400, keepRunsFor: 10m}
 * dpu: {node: dpu-1, root: /run/dpu-offload/root}
 * pki: /etc/dpu-offload/pki
 * profiles: [libvirt]                      # built-in names or profile files
 * </pre>
 */
public final class PairConfigLoader {
    private PairConfigLoader() {}

    public static PairConfig load(Path file) {
        return YamlFields.load(file, PairConfigLoader::parse);
    }

    public static PairConfig parse(String yaml) {
        YamlFields root = YamlFields.parse(yaml);
        root.allowOnly(Set.of("pair", "host", "dpu", "pki", "profiles"));
        String pair = root.requiredText("pair", "rack3-node7");
        YamlFields host = required(root, "host", "{node: host-1, endpoint: tcp://198.51.100.1:7400}");
        host.allowOnly(Set.of("node", "endpoint", "keepRunsFor"));
        java.time.Duration keepRunsFor = host.optionalDuration("keepRunsFor", ExecServer.DEFAULT_DETACHED_GRACE);
        if (keepRunsFor.compareTo(java.time.Duration.ofSeconds(1)) < 0) {
            throw new ConfigException(host.field("keepRunsFor") + ": " + keepRunsFor
                    + " leaves a restarting DPU agent no time to take its VMs back; give 1s or more, e.g. 10m");
        }
        YamlFields dpu = required(root, "dpu", "{node: dpu-1}");
        dpu.allowOnly(Set.of("node", "root", "state"));
        Path pki = absolute(root, "pki", root.optionalText("pki", "/etc/dpu-offload/pki"));
        Path offloadRoot = absolute(dpu, "root", dpu.optionalText("root", "/run/dpu-offload/root"));
        Path state = absolute(dpu, "state", dpu.optionalText("state", "/run/dpu-offload/agent"));
        if (offloadRoot.startsWith(state) || state.startsWith(offloadRoot)) {
            throw new ConfigException(dpu.field("state") + ": '" + state + "' and the root '" + offloadRoot
                    + "' must not contain each other");
        }
        List<String> names = root.texts("profiles");
        if (names.isEmpty()) {
            throw new ConfigException(root.field("profiles") + ": missing; name at least one, e.g. [libvirt]");
        }
        List<Profile> profiles = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            Profile profile;
            try {
                profile = ProfileLoader.load(names.get(i));
            } catch (ConfigException e) {
                throw new ConfigException(root.field("profiles") + "[" + i + "]: " + e.getMessage());
            }
            if (!seen.add(profile.name())) {
                throw new ConfigException(
                        root.field("profiles") + "[" + i + "]: the profile '" + profile.name() + "' is named twice");
            }
            profiles.add(profile);
        }
        return new PairConfig(
                pair,
                host.requiredText("node", "host-1"),
                host.requiredText("endpoint", "tcp://198.51.100.1:7400"),
                dpu.requiredText("node", "dpu-1"),
                pki,
                offloadRoot,
                state,
                List.copyOf(profiles),
                keepRunsFor);
    }

    private static YamlFields required(YamlFields root, String name, String example) {
        YamlFields value = root.object(name);
        if (value == null) {
            throw new ConfigException(root.field(name) + ": missing; e.g. " + name + ": " + example);
        }
        return value;
    }

    private static Path absolute(YamlFields where, String field, String value) {
        Path path = Path.of(value);
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw new ConfigException(
                    where.field(field) + ": '" + value + "' must be an absolute path without '.' or '..'");
        }
        return path;
    }
}
