package io.dpuoffload.e2e.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One image tarball of {@code -Pimages}: {@code target/images/NAME.tar}, holding the image
 * {@code localhost/dpuoffload/NAME:TAG} (the root pom's images profile; the e2e pom passes the directory and tag).
 */
record ImageTarball(String name, Path file, String reference) {

    private static final Duration TAR_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    static ImageTarball named(String name) {
        Path dir = Path.of(required("images.dir"));
        return new ImageTarball(name, dir.resolve(name + ".tar"), "localhost/dpuoffload/" + name + ":" + tag());
    }

    static String tag() {
        return required("images.tag");
    }

    /** The release the build gave the jars, which version options print. */
    static String projectVersion() {
        return required("project.version");
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(
                    property + " is not set: run this test through Maven with -Pimages (see e2e/pom.xml)");
        }
        return value;
    }

    /**
     * The image's entrypoint, from its OCI configuration (index, manifest, config): what docker and the kubelet run
     * with a container's args appended, and what ctr users write out before theirs.
     */
    List<String> entrypoint() throws IOException, InterruptedException {
        JsonNode index = JSON.readTree(entry("index.json"));
        JsonNode manifest = JSON.readTree(blob(index.path("manifests").path(0).path("digest")));
        JsonNode config = JSON.readTree(blob(manifest.path("config").path("digest")));
        List<String> entrypoint = new ArrayList<>();
        config.path("config").path("Entrypoint").forEach(part -> entrypoint.add(part.asText()));
        return entrypoint;
    }

    /** Unpacks the image's layers, in order, into INTO: the file system a container of it starts with. */
    void unpackLayers(Path into) throws IOException, InterruptedException {
        JsonNode index = JSON.readTree(entry("index.json"));
        JsonNode manifest = JSON.readTree(blob(index.path("manifests").path(0).path("digest")));
        Path blobs = Files.createDirectories(into.resolve("blobs"));
        Path root = Files.createDirectories(into.resolve("rootfs"));
        for (JsonNode layer : manifest.path("layers")) {
            String name = blobPath(layer.path("digest"));
            BoundedCommand.check(TAR_TIMEOUT, List.of("tar", "-xf", file.toString(), "-C", blobs.toString(), name));
            Path compressed = blobs.resolve(name);
            BoundedCommand.check(TAR_TIMEOUT, List.of("tar", "-xzf", compressed.toString(), "-C", root.toString()));
            Files.delete(compressed);
        }
    }

    /** Whether the tarball also has docker-save's manifest.json beside the OCI layout. */
    boolean hasDockerManifest() throws IOException, InterruptedException {
        return BoundedCommand.check(TAR_TIMEOUT, List.of("tar", "-tf", file.toString()))
                .lines()
                .anyMatch(entry -> entry.equals("manifest.json"));
    }

    private String blob(JsonNode digest) throws IOException, InterruptedException {
        return entry(blobPath(digest));
    }

    private String blobPath(JsonNode digest) throws IOException {
        String value = digest.asText();
        if (!value.startsWith("sha256:")) {
            throw new IOException(file + ": no sha256 digest where one was expected: " + digest);
        }
        return "blobs/sha256/" + value.substring("sha256:".length());
    }

    private String entry(String path) throws IOException, InterruptedException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist: build it with -Pimages (docs/kubernetes.md, Images)");
        }
        return BoundedCommand.check(TAR_TIMEOUT, List.of("tar", "-xOf", file.toString(), path));
    }
}
