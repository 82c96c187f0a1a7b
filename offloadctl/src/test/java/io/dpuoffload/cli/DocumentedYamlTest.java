package io.dpuoffload.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.api.spec.Pair;
import io.dpuoffload.api.validation.PairValidation;
import io.dpuoffload.api.yaml.SpecFiles;
import io.dpuoffload.api.yaml.SpecReader;
import io.dpuoffload.fs.config.FsServerConfigLoader;
import io.dpuoffload.ipc.config.IpcConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every YAML example in the README and docs/ that is one document (not the side-by-side host and
 * DPU files) is read by the loader it is written for: a key renamed in the model, or an example
 * that was never valid, shows here.
 */
class DocumentedYamlTest {
    private static final Path PROJECT = Path.of("..");
    private static final Pattern BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    private static List<String> examples(Path markdown) throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(Files.readString(markdown));
        while (matcher.find()) {
            blocks.add(matcher.group(1));
        }
        return blocks;
    }

    @Test
    void everyDocumentedConfigurationIsRead() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(PROJECT.resolve("README.md")));
        try (var docs = Files.list(PROJECT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        int read = 0;
        for (Path document : documents) {
            for (String yaml : examples(document)) {
                if (yaml.lines().anyMatch(line -> line.matches("\\S+: .*\\s{8,}\\S+: .*"))) {
                    continue; // two files side by side
                }
                if (yaml.contains("\nconditions:")) {
                    io.dpuoffload.api.yaml.Mappers.yaml().readValue(yaml, io.dpuoffload.api.status.AgentStatus.class);
                } else if (yaml.contains("\nfsSessions:")) {
                    io.dpuoffload.api.yaml.Mappers.yaml()
                            .readValue(yaml, io.dpuoffload.api.status.HostAgentStatus.class);
                } else if (yaml.contains("\nexports:")) {
                    FsServerConfigLoader.parse(yaml);
                } else if (yaml.contains("\nforwards:")) {
                    IpcConfigLoader.parse(yaml);
                } else if (yaml.contains("pair: ")) {
                    SpecReader.read(yaml, document.toString(), Pair.class, PairValidation::problems);
                } else if (yaml.startsWith("name: ")) {
                    SpecFiles.parseProfile(yaml, document.toString());
                } else {
                    continue;
                }
                read++;
            }
        }
        assertThat(read).as("the pair, profile, status, fs and ipc examples").isGreaterThanOrEqualTo(6);
    }
}
