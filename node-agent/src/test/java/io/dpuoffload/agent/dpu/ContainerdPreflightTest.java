package io.dpuoffload.agent.dpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.api.validation.Problem;
import io.dpuoffload.api.yaml.SpecFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A containerd configuration the offload cannot serve is refused before containerd starts, with the fix. */
class ContainerdPreflightTest {
    @TempDir
    Path dir;

    @Test
    void theBuiltInProfilePasses() {
        assertThatCode(() -> ContainerdPreflight.check(pair("containerd"), dir)).doesNotThrowAnyException();
        assertThatCode(() -> ContainerdPreflight.check(pair("libvirt, containerd"), dir))
                .doesNotThrowAnyException();
    }

    @Test
    void overlayfsIsRefusedWithTheFix() throws Exception {
        String profile = builtIn()
                .replace("        \"io.containerd.snapshotter.v1.overlayfs\",\n", "")
                .replace("snapshotter = \"native\"", "snapshotter = \"overlayfs\"");

        assertThat(messages(profile))
                .anySatisfy(m -> assertThat(m)
                        .contains(
                                "overlayfs snapshotter is enabled",
                                "add io.containerd.snapshotter.v1.overlayfs to" + " disabled_plugins"))
                .anySatisfy(m -> assertThat(m)
                        .contains(".containerd.snapshotter", "'overlayfs' does not work", "set it to \"native\""))
                .hasSize(2);
    }

    @Test
    void bundlesOutsideTheSharesAreRefusedWithTheFix() throws Exception {
        String profile = builtIn().replace("state = \"/run/containerd\"", "state = \"/run/elsewhere\"");

        assertThat(messages(profile))
                .singleElement()
                .asString()
                .contains(
                        "the task bundles (/run/elsewhere/io.containerd.runtime.v2.task) are not shared",
                        "sharedFifos: [/]");
    }

    @Test
    void fifosNotSharedAreRefused() throws Exception {
        String profile = builtIn()
                .replace(
                        "hostPath: /run/containerd/fifo, cache: none, sharedFifos: [/]",
                        "hostPath: /run/containerd/fifo, cache: none");

        assertThat(messages(profile))
                .singleElement()
                .asString()
                .contains("ctr's fifos (/run/containerd/fifo) are shared without their fifos");
    }

    @Test
    void missingSocketsAndProgramsAreNamed() throws Exception {
        String profile = builtIn()
                .replace("daemonSockets:\n  - /run/containerd/containerd.sock.ttrpc\n", "")
                .replace("sockets:\n  - /run/containerd/s\n", "")
                .replace("programs:\n  - /usr/bin/containerd-shim-runc-v2\n", "");

        assertThat(messages(profile))
                .anySatisfy(m -> assertThat(m).contains("daemonSockets", "/run/containerd/containerd.sock.ttrpc"))
                .anySatisfy(m -> assertThat(m).contains("sockets", "add /run/containerd/s to sockets"))
                .anySatisfy(m -> assertThat(m).contains("programs", "/usr/bin/containerd-shim-runc-v2"))
                .hasSize(3);
    }

    @Test
    void theDpusOwnFileIsReadWhereTheProfileGivesNone() throws Exception {
        String profile = builtIn();
        profile = profile.substring(0, profile.indexOf("files:"));
        Files.createDirectories(dir.resolve("etc/containerd"));
        Files.writeString(dir.resolve("etc/containerd/config.toml"), "[plugins]\n");

        assertThat(messages(profile))
                .singleElement()
                .asString()
                .contains("/etc/containerd/config.toml version", "add `version = 2`");
    }

    @Test
    void theConfigurationIsWhereContainerdIsToldToLook() {
        assertThat(ContainerdPreflight.configPath(List.of("/usr/bin/containerd")))
                .isEqualTo(Path.of("/etc/containerd/config.toml"));
        assertThat(ContainerdPreflight.configPath(List.of("containerd", "--config", "/etc/c.toml")))
                .isEqualTo(Path.of("/etc/c.toml"));
        assertThat(ContainerdPreflight.configPath(List.of("containerd", "-c", "/etc/c.toml")))
                .isEqualTo(Path.of("/etc/c.toml"));
        assertThat(ContainerdPreflight.configPath(List.of("containerd", "--config=/etc/c.toml")))
                .isEqualTo(Path.of("/etc/c.toml"));
    }

    private static String builtIn() {
        return SpecFiles.builtIn("containerd");
    }

    /** The problems of a pair with {@code profileYaml} as its one profile, as messages. */
    private List<String> messages(String profileYaml) throws Exception {
        Path file = Files.writeString(dir.resolve("profile.yaml"), profileYaml);
        ResolvedPair pair = pair(file.toString());
        assertThatThrownBy(() -> ContainerdPreflight.check(pair, dir)).isInstanceOf(ConfigException.class);
        try {
            ContainerdPreflight.check(pair, dir);
            return List.of();
        } catch (ConfigException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
    }

    private static ResolvedPair pair(String profiles) {
        return SpecFiles.parsePair("""
                pair: p1
                host: {node: host-1, endpoint: tcp://198.51.100.1:7400}
                dpu: {node: dpu-1, root: /r}
                profiles: [%s]
                """.formatted(profiles));
    }
}
