package io.dpuoffload.e2e;

import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** libvirt's tools and QEMU, for the tests that run them: skipped with the reason where missing, never in CI. */
public final class LibvirtPrerequisites {
    private LibvirtPrerequisites() {}

    public static void require(String test) {
        List<String> missing = io.dpuoffload.cli.demo.LibvirtSandbox.missingTools();
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
}
