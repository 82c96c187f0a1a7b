package io.dpuoffload.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretDirectoryTest {

    private static final Instant NOW = Instant.now();
    private static final CaPem CA = CaPem.create("test CA", NOW);

    @TempDir
    Path dir;

    @Test
    void aPublishedSecretIsAPkiDirectoryLaidOutAsTheKubeletLaysOutAMountedOne() throws Exception {
        NodePem node = CA.issue("dpu-01", Optional.empty(), NOW);

        SecretDirectory.publish(dir, node.secretData());

        assertThat(Files.readSymbolicLink(dir.resolve("dpu-01.crt"))).isEqualTo(Path.of("..data", "dpu-01.crt"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("dpu-01.key"))).isEqualTo(PemFiles.OWNER_ONLY);
        assertThat(TlsFiles.inDirectory(dir, "dpu-01").load().node().certificate())
                .isEqualTo(node.material().node().certificate());
    }

    @Test
    void anUpdateSwitchesEveryFileAtOnceAndLeavesNoOldData() throws Exception {
        SecretDirectory.publish(dir, CA.issue("dpu-01", Optional.empty(), NOW).secretData());
        Path firstData = dir.resolve(Files.readSymbolicLink(dir.resolve("..data")));
        NodePem renewed = CA.issue("dpu-01", Optional.empty(), NOW);

        SecretDirectory.publish(dir, renewed.secretData());

        assertThat(firstData).doesNotExist();
        assertThat(TlsFiles.inDirectory(dir, "dpu-01").load().node().certificate())
                .isEqualTo(renewed.material().node().certificate());
        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries.map(path -> path.getFileName().toString()).filter(name -> name.startsWith("..")))
                    .as("one data directory and its link")
                    .hasSize(2)
                    .contains("..data");
        }
    }

    @Test
    void filesWrittenBeforeByOffloadctlBecomeLinksAndNamesTheSecretDropsGo() throws Exception {
        Files.writeString(dir.resolve("ca.crt"), "old");
        SecretDirectory.publish(dir, Map.of("ca.crt", "one", "extra", "two"));
        SecretDirectory.publish(dir, Map.of("ca.crt", "three"));

        assertThat(Files.isSymbolicLink(dir.resolve("ca.crt"))).isTrue();
        assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo("three");
        assertThat(dir.resolve("extra")).doesNotExist();
    }

    @Test
    void refusesKeysThatCouldLeaveTheDirectoryOrClashWithItsOwnNames() {
        for (String bad : new String[] {"../x", "..data", "a/b", ""}) {
            assertThatThrownBy(() -> SecretDirectory.publish(dir, Map.of(bad, "x")))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
