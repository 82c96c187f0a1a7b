package io.dpuoffload.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed CRDs in {@code crds/} are what the Java types generate: the build fails when a type
 * changed and the files were not regenerated ({@code ./dpuo crds} does, or {@code -Dcrds.update=true}
 * on this test).
 */
class CrdFilesTest {
    static final Path COMMITTED = Path.of("..", "crds");
    private static final String FIX = "regenerate them with `./dpuo crds` and commit crds/";

    @Test
    void committedCrdsAreWhatTheTypesGenerate() throws IOException {
        Path generated = Path.of("target", "generated-crds");
        List<Path> files = CrdFiles.generate(generated);
        if (Boolean.getBoolean("crds.update")) {
            Files.createDirectories(COMMITTED);
            for (Path file : files) {
                Files.copy(
                        file, COMMITTED.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        List<String> stale = new ArrayList<>();
        for (Path file : files) {
            Path committed = COMMITTED.resolve(file.getFileName());
            if (!Files.exists(committed) || !Files.readString(committed).equals(Files.readString(file))) {
                stale.add(committed.getFileName().toString());
            }
        }
        assertThat(stale)
                .as("CRD files in crds/ that differ from what the Java types generate; " + FIX)
                .isEmpty();
        try (Stream<Path> present = Files.list(COMMITTED)) {
            List<String> extra = present.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".yml") || name.endsWith(".yaml"))
                    .filter(name -> !CrdFiles.RESOURCES.containsValue(name))
                    .toList();
            assertThat(extra)
                    .as("files in crds/ that no resource type generates; remove them")
                    .isEmpty();
        }
    }
}
