package io.dpuoffload.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.agent.pair.PairConfig;
import io.dpuoffload.agent.pair.PairConfigLoader;
import io.dpuoffload.agent.profile.Profile;
import io.dpuoffload.agent.profile.ProfileLoader;
import io.dpuoffload.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoadersTest {
    @Test
    void theBuiltInLibvirtProfile() {
        Profile libvirt = ProfileLoader.load("libvirt");
        assertThat(libvirt.programs()).containsExactly(Path.of("/usr/bin/qemu-system-x86_64"));
        assertThat(libvirt.daemons()).extracting(Profile.Daemon::name).containsExactly("virtlogd", "libvirtd");
        Profile.Daemon libvirtd = libvirt.daemons().get(1);
        assertThat(libvirtd.after()).containsExactly("virtlogd");
        assertThat(libvirtd.readySocket()).isEqualTo(Path.of("/run/libvirt/libvirt-sock"));
        assertThat(libvirtd.readyTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(libvirtd.health()).isEqualTo(new Profile.Health("qemu:///system", Duration.ofSeconds(30), 3));
        assertThat(libvirt.daemons().getFirst().health())
                .as("virtlogd: no health check")
                .isNull();
        assertThat(libvirt.files()).extracting(Profile.File::path).containsExactly(Path.of("/etc/libvirt/qemu.conf"));
        assertThat(libvirt.files().getFirst().content())
                .contains("security_driver = \"none\"", "namespaces = [ ]", "cgroup_controllers = [ ]");
        assertThat(libvirt.shares())
                .filteredOn(Profile.Share::procView)
                .extracting(Profile.Share::name)
                .containsExactly("proc");
    }

    @Test
    void aPairWithDefaults() {
        PairConfig pair = PairConfigLoader.parse("""
                pair: p1
                host: {node: host-1, endpoint: tcp://198.51.100.1:7400}
                dpu: {node: dpu-1}
                profiles: [libvirt]
                """);
        assertThat(pair.root()).isEqualTo(Path.of("/run/dpu-offload/root"));
        assertThat(pair.pki()).isEqualTo(Path.of("/etc/dpu-offload/pki"));
        assertThat(pair.profiles()).extracting(Profile::name).containsExactly("libvirt");
        assertThat(pair.keepRunsFor())
                .as("how long the host keeps VMs for a DPU agent that is away")
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(PairConfigLoader.parse("""
                        pair: p1
                        host: {node: host-1, endpoint: tcp://198.51.100.1:7400, keepRunsFor: 2h}
                        dpu: {node: dpu-1}
                        profiles: [libvirt]
                        """).keepRunsFor()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void socketDirectoriesAreFoundOnTheHostThroughTheShareThatHoldsThem() {
        Profile profile = new Profile(
                "p",
                List.of(
                        new Profile.Share("data", Path.of("/srv/host-data"), Path.of("/data"), "ttl", false, false),
                        new Profile.Share("run", Path.of("/srv/host-run"), Path.of("/data/run"), "ttl", false, false)),
                List.of(),
                List.of(),
                List.of(),
                List.of());
        PairConfig pair = new PairConfig(
                "p",
                "h",
                "tcp://198.51.100.1:1",
                "d",
                Path.of("/pki"),
                Path.of("/r"),
                Path.of("/s"),
                List.of(profile),
                Duration.ofMinutes(10));
        assertThat(pair.hostPathOf(Path.of("/data/qemu"))).isEqualTo(Path.of("/srv/host-data/qemu"));
        assertThat(pair.hostPathOf(Path.of("/data/run/x.sock")))
                .as("the innermost share")
                .isEqualTo(Path.of("/srv/host-run/x.sock"));
        assertThat(pair.hostPathOf(Path.of("/database"))).as("not under /data").isEqualTo(Path.of("/database"));
        assertThat(pair.hostPathOf(Path.of("/var/lib/libvirt/qemu")))
                .as("outside every share: the same path")
                .isEqualTo(Path.of("/var/lib/libvirt/qemu"));
    }

    @Test
    void badInputNamesTheFieldAndTheFix() {
        assertThatThrownBy(
                        () -> PairConfigLoader.parse("pair: p\nhost: {node: h, endpoint: tcp://x:1}\ndpu: {node: d}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("profiles")
                .hasMessageContaining("[libvirt]");
        assertThatThrownBy(() -> PairConfigLoader.parse(
                        "pair: p\nhost: {node: h, endpoint: tcp://x:1}\ndpu: {node: d}\nprofiles: [libvrt]\n"))
                .hasMessageContaining("profiles[0]")
                .hasMessageContaining("no built-in profile 'libvrt'");
        assertThatThrownBy(
                        () -> PairConfigLoader.parse(
                                "pair: p\nhost: {node: h, endpoint: tcp://x:1}\ndpu: {node: d, root: run/root}\nprofiles: [libvirt]\n"))
                .hasMessageContaining("dpu.root");
        assertThatThrownBy(
                        () -> PairConfigLoader.parse(
                                "pair: p\nhost: {node: h, endpoint: tcp://x:1, keepRunsFor: 0s}\ndpu: {node: d}\nprofiles: [libvirt]\n"))
                .hasMessageContaining("host.keepRunsFor")
                .hasMessageContaining("e.g. 10m");
        assertThatThrownBy(() -> ProfileLoader.parse("""
                name: x
                daemons:
                  - {name: b, command: [/bin/b], after: [a]}
                  - {name: a, command: [/bin/a]}
                """))
                .hasMessageContaining("daemons[0].after")
                .hasMessageContaining("list daemons in start order");
        assertThatThrownBy(() -> ProfileLoader.parse("name: x\ndaemons: [{name: a, command: [a]}]\n"))
                .hasMessageContaining("absolute path");
        assertThatThrownBy(() -> ProfileLoader.parse("name: x\nshares: [{name: a, hostPath: /a, cache: always}]\n"))
                .hasMessageContaining("use ttl or none");
        assertThatThrownBy(() -> ProfileLoader.parse(
                        "name: x\ndaemons: [{name: a, command: [/a], health: {libvirt: system}}]\n"))
                .hasMessageContaining("daemons[0].health.libvirt")
                .hasMessageContaining("e.g. qemu:///system");
        assertThatThrownBy(
                        () -> ProfileLoader.parse(
                                "name: x\ndaemons: [{name: a, command: [/a], health: {libvirt: 'qemu:///system', interval: 10ms}}]\n"))
                .hasMessageContaining("health.interval")
                .hasMessageContaining("1s or more");
    }
}
