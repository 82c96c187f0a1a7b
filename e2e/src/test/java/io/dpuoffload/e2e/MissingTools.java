package io.dpuoffload.e2e;

import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs of the machine (daemons, tools): the test is skipped with the reason where
 * something is missing, and fails instead in CI, which installs everything ({@code ./dpuo test}).
 */
public final class MissingTools {
    private MissingTools() {}

    /** @param missing each missing thing as "name (Debian package P)"; empty when all are there */
    public static void require(String test, List<String> missing) {
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
