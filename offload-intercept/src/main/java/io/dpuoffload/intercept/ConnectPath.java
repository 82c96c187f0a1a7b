package io.dpuoffload.intercept;

import java.nio.file.Path;

/**
 * The Unix path an intercepted connect names: as the caller wrote it (how /proc/net/unix shows a
 * listener bound at it), and where it is in this process's view (resolved against the caller's
 * working directory and root).
 */
public record ConnectPath(String asGiven, Path inOurView) {
    @Override
    public String toString() {
        return inOurView.toString();
    }
}
