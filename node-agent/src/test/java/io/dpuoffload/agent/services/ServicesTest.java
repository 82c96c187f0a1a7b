package io.dpuoffload.agent.services;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.spec.Share;
import io.dpuoffload.api.yaml.SpecFiles;
import io.dpuoffload.fs.allowlist.Operation;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.config.FsServerConfig;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.config.PeerPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The services both agents run, as derived from a pair and its profiles. */
class ServicesTest {
    private static final ResolvedPair LIBVIRT = SpecFiles.parsePair("""
            pair: p1
            host: {node: host-1, endpoint: tcp://198.51.100.1:7400}
            dpu: {node: dpu-1, root: /r}
            profiles: [libvirt]
            """);

    @Test
    void theApiNamesTheSameFileSystemOperationsAsOffloadFs() {
        assertThat(Share.OPERATIONS)
                .containsExactlyElementsOf(Arrays.stream(Operation.values())
                        .map(Operation::configName)
                        .toList());
    }

    @Test
    void eachShareIsAnExportWithItsOwnAllowlist() {
        FsServerConfig fs = HostServices.fs(LIBVIRT);
        assertThat(fs.node()).isEqualTo("host-1");
        assertThat(fs.peers()).as("only the pair's DPU").containsExactly("dpu-1");
        assertThat(fs.exports())
                .extracting(ExportConfig::name)
                .containsExactly("libvirt", "images", "libvirt-cache", "proc", "sys");
        ExportConfig libvirt = fs.export("libvirt").orElseThrow();
        assertThat(libvirt.cache()).isEqualTo(CachePolicy.TTL);
        assertThat(libvirt.ttl()).isEqualTo(Duration.ofSeconds(1));
        assertThat(libvirt.allow().allows(Operation.WRITE, "/qemu/x")).isTrue();
        ExportConfig proc = fs.export("proc").orElseThrow();
        assertThat(proc.procView()).isTrue();
        assertThat(proc.cache()).isEqualTo(CachePolicy.NONE);
        assertThat(proc.allow().allows(Operation.READ, "/1/status")).isTrue();
        assertThat(proc.allow().allows(Operation.WRITE, "/1/oom_score_adj"))
                .as("the host's /proc is not written from the DPU")
                .isFalse();
    }

    @Test
    void aShareKeepsWhatAnExportHas() {
        Share share = new Share(
                "data",
                Path.of("/srv/data"),
                Path.of("/data"),
                null,
                Duration.ofMillis(500),
                true,
                null,
                java.util.Map.of("read", List.of("/images")),
                List.of("/run"),
                true);
        ExportConfig export = HostServices.export(share);
        assertThat(export.path()).isEqualTo(Path.of("/srv/data"));
        assertThat(export.readOnly()).isTrue();
        assertThat(export.ttl()).isEqualTo(Duration.ofMillis(500));
        assertThat(export.sharedFifos().covers("/run/x.fifo")).isTrue();
        assertThat(export.devices()).isTrue();
        assertThat(export.allow().allows(Operation.READ, "/images/a.qcow2")).isTrue();
        assertThat(export.allow().allows(Operation.READ, "/etc")).isFalse();
    }

    @Test
    void theHostRunsTheProfilesProgramsAndReachesTheirSockets() {
        assertThat(HostServices.programs(LIBVIRT)).containsExactly("/usr/bin/qemu-system-x86_64");
        assertThat(HostServices.fileDirectories(LIBVIRT))
                .as("the shares, not the proc view")
                .containsExactly("/var/lib/libvirt", "/var/lib/dpu-offload/images", "/var/cache/libvirt", "/sys");
        IpcConfig ipc = HostServices.ipc(LIBVIRT);
        assertThat(ipc.listen()).isEqualTo("tcp://198.51.100.1:7400");
        assertThat(ipc.allow()).containsExactly("/var/lib/libvirt/qemu");
        assertThat(ipc.forwards()).isEmpty();
    }

    @Test
    void theDpuConnectsAndMapsItsSocketsAndSharesToTheHost() {
        IpcConfig ipc = DpuServices.ipc(LIBVIRT);
        assertThat(ipc.listen()).as("the DPU connects").isNull();
        assertThat(ipc.allow()).as("the host reaches no DPU socket").isEmpty();
        assertThat(ipc.peers()).containsExactly("host-1");
        assertThat(ipc.transparent().mappings())
                .containsExactly(
                        new PeerPaths.Mapping(Path.of("/r/var/lib/libvirt/qemu"), Path.of("/var/lib/libvirt/qemu")));
        assertThat(DpuServices.sharedPaths(LIBVIRT).mappings())
                .as("deepest first, no proc view")
                .containsExactly(
                        new PeerPaths.Mapping(
                                Path.of("/r/var/lib/dpu-offload/images"), Path.of("/var/lib/dpu-offload/images")),
                        new PeerPaths.Mapping(Path.of("/r/var/lib/libvirt"), Path.of("/var/lib/libvirt")),
                        new PeerPaths.Mapping(Path.of("/r/var/cache/libvirt"), Path.of("/var/cache/libvirt")),
                        new PeerPaths.Mapping(Path.of("/r/sys"), Path.of("/sys")));
    }
}
