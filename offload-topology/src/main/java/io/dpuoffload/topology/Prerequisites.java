package io.dpuoffload.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a {@link Topology} needs from the machine: root, and the commands that make namespaces. {@link #explain()}
 * names exactly what is missing and how to get it.
 */
public final class Prerequisites {

    /** The commands a topology runs, and the Debian package each comes from. */
    static final List<Tool> TOOLS = List.of(
            new Tool("ip", "iproute2"),
            new Tool("unshare", "util-linux"),
            new Tool("setpriv", "util-linux"),
            new Tool("nsenter", "util-linux"));

    /** Looked in besides PATH: a non-root PATH often lacks the sbin directories where {@code ip} lives. */
    private static final List<String> EXTRA_DIRECTORIES =
            List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    record Tool(String command, String packageName) {}

    private Prerequisites() {}

    /** True when this process's effective uid is 0. */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    // Uid: real effective saved filesystem
                    return line.substring(4).trim().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: no readable /proc, decide by name
        }
        return "root".equals(System.getProperty("user.name"));
    }

    public static boolean hasCommand(String name) {
        return findCommand(name).isPresent();
    }

    /** The executable called {@code name} on PATH or in the usual system directories. */
    public static Optional<Path> findCommand(String name) {
        Set<String> directories = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    directories.add(dir);
                }
            }
        }
        directories.addAll(EXTRA_DIRECTORIES);
        for (String dir : directories) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Absolute path of a command the topology needs; throws with {@link #explain()} when it is missing. */
    static String require(String name) {
        return findCommand(name)
                .map(Path::toString)
                .orElseThrow(() -> new TopologyException("offload-topology cannot run: " + explain()));
    }

    /** One entry per missing prerequisite, each saying how to fix it; empty when all are met. */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root (running as " + System.getProperty("user.name")
                    + "; network namespaces need CAP_SYS_ADMIN: run the tests as root)");
        }
        for (Tool tool : TOOLS) {
            if (!hasCommand(tool.command())) {
                missing.add("command '" + tool.command() + "' (not on PATH nor in "
                        + String.join(":", EXTRA_DIRECTORIES) + "; install " + tool.packageName() + ")");
            }
        }
        for (String ns : List.of("net", "mnt", "pid")) {
            if (!Files.exists(Path.of("/proc/self/ns", ns))) {
                missing.add("kernel support for " + ns + " namespaces (/proc/self/ns/" + ns + " is absent)");
            }
        }
        return missing;
    }

    public static boolean satisfied() {
        return missing().isEmpty();
    }

    /** A sentence for a skip or failure message: what is missing, or that nothing is. */
    public static String explain() {
        return explain(missing());
    }

    static String explain(List<String> missing) {
        if (missing.isEmpty()) {
            return "all prerequisites met (root, "
                    + String.join(", ", TOOLS.stream().map(Tool::command).toList()) + ")";
        }
        return "the host/DPU topology needs " + String.join("; ", missing);
    }
}
