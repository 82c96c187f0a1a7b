package io.dpuoffload.api.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.api.yaml.Mappers;
import io.dpuoffload.api.yaml.SpecFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BindingTest {
    @Test
    void theBuiltInLibvirtProfile() {
        Profile libvirt = SpecFiles.profile("libvirt");
        assertThat(libvirt.programs()).containsExactly(Path.of("/usr/bin/qemu-system-x86_64"));
        assertThat(libvirt.daemons()).extracting(Daemon::name).containsExactly("virtlogd", "libvirtd");
        Daemon libvirtd = libvirt.daemons().get(1);
        assertThat(libvirtd.after()).containsExactly("virtlogd");
        assertThat(libvirtd.ready())
                .isEqualTo(new Readiness(Path.of("/run/libvirt/libvirt-sock"), Duration.ofSeconds(60)));
        assertThat(libvirtd.restart()).isEqualTo(RestartPolicy.ON_FAILURE);
        assertThat(libvirtd.health()).isEqualTo(new Health.Libvirt("qemu:///system", Duration.ofSeconds(30), 3));
        assertThat(libvirt.daemons().getFirst().health())
                .as("virtlogd: no health check")
                .isNull();
        assertThat(libvirt.files()).extracting(RootFile::path).containsExactly(Path.of("/etc/libvirt/qemu.conf"));
        assertThat(libvirt.files().getFirst().content())
                .contains("security_driver = \"none\"", "namespaces = [ ]", "cgroup_controllers = [ ]");
        Share proc =
                libvirt.shares().stream().filter(Share::procView).findFirst().orElseThrow();
        assertThat(proc.name()).isEqualTo("proc");
        assertThat(proc.cache()).isEqualTo(CacheMode.NONE);
        assertThat(proc.allow()).as("the host's /proc is read, not written").doesNotContainKeys("all", "write");
    }

    @Test
    void absentFieldsTakeTheirDefaults() {
        Profile profile = SpecFiles.parseProfile("""
                name: p
                shares: [{name: data, hostPath: /srv/data}, {name: proc, hostPath: /proc, procView: true}]
                daemons: [{name: d, command: [/bin/d], ready: {socket: /run/d.sock}}]
                """, "");
        Share data = profile.shares().getFirst();
        assertThat(data.path()).as("the host path").isEqualTo(Path.of("/srv/data"));
        assertThat(data.cache()).isEqualTo(CacheMode.TTL);
        assertThat(data.ttl()).isEqualTo(Share.DEFAULT_TTL);
        assertThat(data.allow()).isEqualTo(Map.of("all", List.of("/")));
        assertThat(data.readOnly()).isFalse();
        assertThat(data.devices()).isFalse();
        assertThat(data.sharedFifos()).isEmpty();
        assertThat(profile.shares().get(1).cache()).as("a proc view").isEqualTo(CacheMode.NONE);
        Daemon daemon = profile.daemons().getFirst();
        assertThat(daemon.restart()).isEqualTo(RestartPolicy.ON_FAILURE);
        assertThat(daemon.ready().timeout()).isEqualTo(Readiness.DEFAULT_TIMEOUT);
        assertThat(daemon.environment()).isEmpty();
    }

    @Test
    void theSameKeysInYamlJsonAndJavaBothWays() throws Exception {
        Profile profile = new Profile(
                "p",
                List.of(Share.of("data", Path.of("/srv/data"))
                        .at(Path.of("/data"))
                        .withAllow(Map.of("read", List.of("/images")))),
                List.of(Path.of("/data/sockets")),
                List.of(Path.of("/run/d-events.sock")),
                List.of(Path.of("/usr/bin/qemu-system-x86_64")),
                List.of(Daemon.of("d", List.of("/bin/d"))
                        .withReady(new Readiness(Path.of("/run/d.sock"), Duration.ofMinutes(2)))
                        .withRestart(RestartPolicy.NEVER)
                        .withHealth(new Health.Socket(Path.of("/run/d.sock"), Duration.ofSeconds(5), 2))),
                List.of(new RootFile(Path.of("/etc/d.conf"), "x = 1\n")),
                List.of(new RootUser("d-user", 4242L, 4243L)),
                List.of(new RootGroup("d-group", 4243L)));
        String yaml = Mappers.yaml().writeValueAsString(profile);
        assertThat(yaml)
                .contains("restart: never", "ready:", "socket: /run/d.sock", "timeout: 2m", "cache: ttl")
                .doesNotContain("file://");
        assertThat(Mappers.yaml().readValue(yaml, Profile.class)).isEqualTo(profile);
        String json = Mappers.json().writeValueAsString(profile);
        assertThat(json).contains("\"restart\" : \"never\"", "\"interval\" : \"5s\"");
        assertThat(Mappers.json().readValue(json, Profile.class)).isEqualTo(profile);
    }

    @Test
    void healthKindsByTheirKey() {
        Profile profile = SpecFiles.parseProfile("""
                name: p
                daemons:
                  - {name: a, command: [/a], health: {libvirt: "qemu:///system"}}
                  - {name: b, command: [/b], health: {socket: /run/b.sock, interval: 2s, failures: 5}}
                """, "");
        assertThat(profile.daemons().get(0).health())
                .isEqualTo(new Health.Libvirt("qemu:///system", Health.DEFAULT_INTERVAL, Health.DEFAULT_FAILURES));
        assertThat(profile.daemons().get(1).health())
                .isEqualTo(new Health.Socket(Path.of("/run/b.sock"), Duration.ofSeconds(2), 5));
    }

    @Test
    void aPairWithDefaultsAndItsProfiles() {
        ResolvedPair pair = SpecFiles.parsePair("""
                pair: p1
                host: {node: host-1, endpoint: tcp://198.51.100.1:7400}
                dpu: {node: dpu-1}
                profiles: [libvirt]
                """);
        assertThat(pair.root()).isEqualTo(Path.of("/run/dpu-offload/root"));
        assertThat(pair.state()).isEqualTo(Path.of("/run/dpu-offload/agent"));
        assertThat(pair.pki()).isEqualTo(Path.of("/etc/dpu-offload/pki"));
        assertThat(pair.profiles()).extracting(Profile::name).containsExactly("libvirt");
        assertThat(pair.keepRunsFor()).isEqualTo(Duration.ofMinutes(10));
        assertThat(pair.resumeWithin()).isEqualTo(Duration.ofSeconds(60));
        ResolvedPair given = SpecFiles.parsePair("""
                pair: p1
                host: {node: host-1, endpoint: tcp://198.51.100.1:7400, keepRunsFor: 2h, resumeWithin: 5m}
                dpu: {node: dpu-1}
                profiles: [libvirt]
                """);
        assertThat(given.keepRunsFor()).isEqualTo(Duration.ofHours(2));
        assertThat(given.resumeWithin()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void socketDirectoriesAreFoundOnTheHostThroughTheShareThatHoldsThem() {
        Profile profile = new Profile(
                "p",
                List.of(
                        Share.of("data", Path.of("/srv/host-data")).at(Path.of("/data")),
                        Share.of("run", Path.of("/srv/host-run")).at(Path.of("/data/run"))),
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        ResolvedPair pair = new ResolvedPair(
                new Pair(
                        "p",
                        new Pair.Host("h", "tcp://198.51.100.1:1", null),
                        new Pair.Dpu("d", null, null),
                        null,
                        List.of("p")),
                List.of(profile));
        assertThat(pair.hostPathOf(Path.of("/data/qemu"))).isEqualTo(Path.of("/srv/host-data/qemu"));
        assertThat(pair.hostPathOf(Path.of("/data/run/x.sock")))
                .as("the innermost share")
                .isEqualTo(Path.of("/srv/host-run/x.sock"));
        assertThat(pair.hostPathOf(Path.of("/database"))).as("not under /data").isEqualTo(Path.of("/database"));
        assertThat(pair.hostPathOf(Path.of("/var/lib/libvirt/qemu")))
                .as("outside every share: the same path")
                .isEqualTo(Path.of("/var/lib/libvirt/qemu"));
    }
}
