package io.dpuoffload.topology;

import java.util.ArrayList;
import java.util.List;

/** The {@code ip} commands the topology needs, run from the root namespace. The only place that speaks iproute2. */
final class IpNetns {

    private IpNetns() {}

    static void add(String namespace) {
        ip("netns", "add", namespace);
    }

    static void delete(String namespace) {
        ip("netns", "delete", namespace);
    }

    /** Names under /run/netns; {@code ip netns list} prints {@code name} or {@code name (id: N)} per line. */
    static List<String> list() {
        List<String> names = new ArrayList<>();
        for (String line : ip("netns", "list").stdout().split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty()) {
                names.add(trimmed.split("\\s+", 2)[0]);
            }
        }
        return names;
    }

    /** Host-visible pids of every process whose network namespace is {@code namespace}. */
    static List<Long> pids(String namespace) {
        List<Long> pids = new ArrayList<>();
        for (String line : ip("netns", "pids", namespace).stdout().split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty()) {
                pids.add(Long.parseLong(trimmed));
            }
        }
        return pids;
    }

    /** {@code ip -n NAMESPACE args...}: configures links and addresses inside the namespace, never in ours. */
    static void inNamespace(String namespace, String... args) {
        List<String> command = new ArrayList<>(List.of("-n", namespace));
        command.addAll(List.of(args));
        ip(command.toArray(String[]::new));
    }

    private static CommandResult ip(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Prerequisites.require("ip"));
        command.addAll(List.of(args));
        return HostCommand.run(command).orThrow();
    }
}
