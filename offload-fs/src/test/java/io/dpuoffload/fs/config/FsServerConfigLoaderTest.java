package io.dpuoffload.fs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.fs.allowlist.Operation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server's YAML: what a valid file means, and that every mistake is refused naming its field. */
class FsServerConfigLoaderTest {
    private static final String HEAD = """
            node: host-1
            listen: tcp://198.51.100.1:7100
            peers: [dpu-1]
            exports:
            """;

    @Test
    void aFullExportAndTheDefaultsOfAShortOne() {
        FsServerConfig config = FsServerConfigLoader.parse(HEAD + """
                  - name: containerd
                    path: /run/containerd/
                    cache: ttl
                    ttl: 250ms
                    sharedFifos: [/fifo, /io/]
                    devices: true
                    allow:
                      all: [/]
                  - name: proc
                    path: /proc
                    procView: true
                    allow: {lookup: [/], read: [/self]}
                """);
        ExportConfig containerd = config.export("containerd").orElseThrow();
        assertThat(containerd.path()).isEqualTo(Path.of("/run/containerd"));
        assertThat(containerd.ttl()).isEqualTo(Duration.ofMillis(250));
        assertThat(containerd.sharedFifos().prefixes()).containsExactly("/fifo", "/io");
        assertThat(containerd.sharedFifos().covers("/fifo/abc/stdout")).isTrue();
        assertThat(containerd.sharedFifos().covers("/fifos")).isFalse();
        assertThat(containerd.devices()).isTrue();

        ExportConfig proc = config.export("proc").orElseThrow();
        assertThat(proc.cache()).isEqualTo(CachePolicy.NONE);
        assertThat(proc.sharedFifos().isEmpty()).isTrue();
        assertThat(proc.devices()).isFalse();
        assertThat(proc.readOnly()).isFalse();
        assertThat(proc.allow().allows(Operation.READ, "/self/status")).isTrue();
        assertThat(proc.allow().allows(Operation.WRITE, "/self/status")).isFalse();
        assertThat(config.pki()).isEqualTo(Path.of("/etc/dpu-offload/pki"));
    }

    @Test
    void mistakesAreRefusedNamingTheField() {
        record Case(String exports, String message) {}
        List<Case> cases = List.of(
                new Case("  - {name: a, path: /srv}\n", "exports[0].allow (line 5): missing"),
                new Case(
                        "  - {name: a, path: srv, allow: {all: [/]}}\n",
                        "exports[0].path (line 5): 'srv' must be an absolute"),
                new Case(
                        "  - {name: A, path: /srv, allow: {all: [/]}}\n",
                        "exports[0].name (line 5): 'A' must be lowercase"),
                new Case(
                        "  - {name: a, path: /srv, cache: lru, allow: {all: [/]}}\n",
                        "exports[0].cache (line 5): \"lru\" is not one of ttl, none"),
                new Case(
                        "  - {name: a, path: /srv, colour: red, allow: {all: [/]}}\n",
                        "exports[0].colour (line 5): unknown field"),
                new Case(
                        "  - {name: a, path: /srv, allow: {wrte: [/]}}\n",
                        "exports[0].allow.wrte (line 5): unknown operation"),
                new Case(
                        "  - {name: a, path: /srv, allow: {all: [images]}}\n",
                        "must be an absolute path (start with '/')"),
                new Case(
                        "  - {name: a, path: /srv, sharedFifos: [/run/../etc], allow: {all: [/]}}\n",
                        "exports[0].sharedFifos[0] (line 5): '/run/../etc' must not contain"),
                new Case(
                        "  - {name: a, path: /srv, devices: maybe, allow: {all: [/]}}\n",
                        "exports[0].devices (line 5): \"maybe\" is not true or false"),
                new Case(
                        "  - {name: p, path: /proc, procView: true, cache: ttl, allow: {all: [/]}}\n",
                        "exports[0].cache (line 5): a procView export must use cache: none"),
                new Case(
                        "  - {name: a, path: /srv, allow: {all: [/]}}\n  - {name: a, path: /opt, allow: {all: [/]}}\n",
                        "exports[1].name (line 6): export 'a' is defined twice"));
        for (Case c : cases) {
            assertThatThrownBy(() -> FsServerConfigLoader.parse(HEAD + c.exports()))
                    .as(c.exports())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(c.message());
        }
    }

    @Test
    void brokenYamlNamesTheLine() {
        assertThatThrownBy(() -> FsServerConfigLoader.parse("node: [host-1\nlisten: x\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML")
                .hasMessageContaining("line");
    }
}
