package io.dpuoffload.crd.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's top-level folders ({@code crds/}, {@code manifests/}) from a test in any module:
 * Maven runs each module's tests in the module's directory, so this walks up to the directory that
 * holds {@code crds/} beside the root {@code pom.xml}.
 */
public final class RepoFiles {
    private RepoFiles() {}

    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path at = dir; at != null; at = at.getParent()) {
            if (Files.isDirectory(at.resolve("crds")) && Files.isRegularFile(at.resolve("pom.xml"))) {
                return at;
            }
        }
        throw new IllegalStateException("no crds/ beside a pom.xml in " + dir + " or above it");
    }

    public static Path crds() {
        return root().resolve("crds");
    }

    public static Path manifests() {
        return root().resolve("manifests");
    }
}
