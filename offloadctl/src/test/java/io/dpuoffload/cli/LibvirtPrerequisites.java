package io.dpuoffload.cli;

import io.dpuoffload.topology.Prerequisites;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** libvirt's tools and QEMU, for the tests that run them: skipped with the reason where missing, never in CI. */
public final class LibvirtPrerequisites {
    /** Each tool and its Debian package (./dpuo installs them). */
    private static final List<List<String>> TOOLS = List.of(
            List.of("libvirtd", "libvirt-daemon"),
            List.of("virtlogd", "libvirt-daemon"),
            List.of("virsh", "libvirt-clients"),
            List.of("virt-admin", "libvirt-clients"),
            List.of("qemu-system-x86_64", "qemu-system-x86"));

    private LibvirtPrerequisites() {}

    public static void require(String test) {
        List<String> missing = new ArrayList<>();
        for (List<String> tool : TOOLS) {
            if (!Prerequisites.hasCommand(tool.get(0))) {
                missing.add(tool.get(0) + " (Debian package " + tool.get(1) + ")");
            }
        }
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
