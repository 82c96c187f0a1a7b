package io.dpuoffload.api.spec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * When a started daemon counts as ready: once something listens at {@code socket} (a path in the
 * root), within {@code timeout} (default 30s), else its start failed.
 */
public record Readiness(Path socket, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public Readiness {
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    }
}
