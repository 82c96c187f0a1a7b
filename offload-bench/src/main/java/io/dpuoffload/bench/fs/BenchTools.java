package io.dpuoffload.bench.fs;

import io.dpuoffload.topology.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The programs the benchmark runs besides offloadctl, and the Debian package of each. sshd re-executes itself by its
 * path, so it and sftp-server are looked for where Debian installs them, not on PATH.
 */
public enum BenchTools {
    SSHFS("sshfs", "sshfs"),
    SSH("ssh", "openssh-client"),
    SSH_KEYGEN("ssh-keygen", "openssh-client"),
    SSHD("/usr/sbin/sshd", "openssh-server"),
    SFTP_SERVER("/usr/lib/openssh/sftp-server", "openssh-server"),
    DD("dd", "coreutils"),
    FINCORE("fincore", "util-linux");

    private final String command;
    final String debianPackage;

    BenchTools(String command, String debianPackage) {
        this.command = command;
        this.debianPackage = debianPackage;
    }

    /** The absolute path to run; throws naming the package when it is not installed. */
    public String path() {
        return find().orElseThrow(() ->
                new IllegalStateException(command + " is missing: " + installHint(List.of(debianPackage))));
    }

    private Optional<String> find() {
        if (command.startsWith("/")) {
            return executable(Path.of(command)) ? Optional.of(command) : Optional.empty();
        }
        return Prerequisites.findCommand(command).map(Path::toString);
    }

    /**
     * Empty when everything is there, else one message naming every missing program and the packages to install. FUSE
     * is checked too: both sshfs and offload-fs need {@code /dev/fuse}.
     */
    static Optional<String> missing() {
        List<String> commands = new ArrayList<>();
        Set<String> packages = new LinkedHashSet<>();
        for (BenchTools tool : values()) {
            if (tool.find().isEmpty()) {
                commands.add(tool.command);
                packages.add(tool.debianPackage);
            }
        }
        if (!Files.exists(Path.of("/dev/fuse"))) {
            commands.add("/dev/fuse");
        }
        if (commands.isEmpty()) {
            return Optional.empty();
        }
        String fuse = commands.contains("/dev/fuse") ? "; for /dev/fuse, load the fuse module (modprobe fuse)" : "";
        return Optional.of("the fs benchmark needs " + String.join(", ", commands) + ", which this machine lacks"
                + (packages.isEmpty() ? "" : ": " + installHint(List.copyOf(packages))) + fuse);
    }

    private static String installHint(List<String> packages) {
        return "install the Debian package" + (packages.size() == 1 ? " " : "s ") + String.join(" and ", packages)
                + " (apt-get install " + String.join(" ", packages) + "), or run ./dpuo bench fs, which does";
    }

    private static boolean executable(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }
}
