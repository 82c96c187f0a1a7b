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
    }
}
