package io.dpuoffload.e2e.containerd;

import io.dpuoffload.cli.demo.ContainerdSandbox;
import io.dpuoffload.e2e.MissingTools;

/**
 * containerd, its runc shim, runc and a static busybox, for the tests that run containers: skipped with the reason
 * where missing, never in CI (which installs them: {@code ./dpuo test}).
 */
public final class ContainerdPrerequisites {
    private ContainerdPrerequisites() {}

    public static void require(String test) {
        MissingTools.require(test, ContainerdSandbox.missingTools());
    }
}
