package io.dpuoffload.e2e.containerd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * containerd, its runc shim, runc and a static busybox, for the tests that run containers: skipped with the reason
 * where missing, never in CI (which installs them: {@code ./dpuo test}).
 */
public final class ContainerdPrerequisites {

    private static final List<String> PROGRAMS = List.of("containerd", "ctr", "containerd-shim-runc-v2", "runc");

    private ContainerdPrerequisites() {}

    public static void require(String test) throws IOException {
        List<String> missing = missing();
        if (missing.isEmpty()) {
            return;
        }
        String reason = test + " needs " + String.join(", ", missing) + "; `./dpuo test` installs them";
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            throw new IllegalStateException("CI=" + ci + " but " + reason); // as TopologyExtension: CI never skips
        }
        System.err.println(reason + "; skipped");
        Assumptions.abort(reason);
    }

    static List<String> missing() throws IOException {
        List<String> missing = new ArrayList<>();
        for (String program : PROGRAMS) {
            if (onPath(program).isEmpty()) {
                missing.add(program);
            }
        }
        OciImage.busyboxProblem().ifPresent(missing::add);
        return missing;
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
