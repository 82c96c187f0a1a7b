package io.dpuoffload.crd.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A kustomization rendered by {@code kubectl kustomize}, which needs no cluster: the objects
 * {@code kubectl apply -k} would send.
 */
public final class Kustomize {
    /** Where the machine's kubectl is (kubectl ships kustomize built in). */
    public static final Path KUBECTL = Path.of("/usr/bin/kubectl");

    /** Rendering takes well under a second; this bounds a kubectl that hangs. */
    private static final long RENDER_TIMEOUT_SECONDS = 60;

    private Kustomize() {}

    /** Why the rendering tests cannot run here, or empty when they can. */
    public static Optional<String> unavailable() {
        return Files.isExecutable(KUBECTL)
                ? Optional.empty()
                : Optional.of(KUBECTL + " is not installed (kubectl renders the kustomizations offline)");
    }

    /** The objects the kustomization in {@code dir} renders to. */
    public static List<JsonNode> render(Path dir) throws IOException, InterruptedException {
        Path output = Files.createTempFile("kustomize-", ".yaml");
        Path errors = Files.createTempFile("kustomize-", ".err");
        try {
            Process kubectl = new ProcessBuilder(KUBECTL.toString(), "kustomize", dir.toString())
                    .redirectOutput(output.toFile())
                    .redirectError(errors.toFile())
                    .start();
            if (!kubectl.waitFor(RENDER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                kubectl.destroyForcibly();
                throw new IOException(
                        "kubectl kustomize " + dir + " did not finish in " + RENDER_TIMEOUT_SECONDS + " s");
            }
            if (kubectl.exitValue() != 0) {
                throw new IOException("kubectl kustomize " + dir + " failed (" + kubectl.exitValue() + "): "
                        + Files.readString(errors, StandardCharsets.UTF_8));
            }
            return Resources.read(output);
        } finally {
            Files.deleteIfExists(output);
            Files.deleteIfExists(errors);
        }
    }
}
