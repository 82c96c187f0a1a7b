package io.dpuoffload.agent.kube;

import static io.dpuoffload.agent.kube.Resources.fullSecret;
import static io.dpuoffload.agent.kube.Resources.hostAt;
import static io.dpuoffload.agent.kube.Resources.pair;
import static io.dpuoffload.agent.kube.Resources.settings;
import static io.dpuoffload.agent.kube.Resources.sleeper;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.crd.NodeSecrets;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.dpuoffload.crd.node.PinnedProfile;
import io.dpuoffload.crd.node.TransportKind;
import io.dpuoffload.crd.node.TransportSpec;
import io.dpuoffload.crd.profile.ProfileResources;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairDerivationTest {

    @Test
    void theHostListensOnEveryAddressAndAdvertisesItsOwn() {
        Derivation derived = PairDerivation.derive(
                pair("p1", null, sleeper("r1"), null), AgentRole.HOST, settings("host-1"), fullSecret("host-1"));

        Plan plan = ((Derivation.Run) derived).plan();
        assertThat(plan.endpoint()).isEqualTo(new Endpoint.Tcp("0.0.0.0", 7400));
        assertThat(plan.pair().hostEndpoint()).isEqualTo("tcp://198.51.100.1:7400");
        assertThat(plan.pair().name()).isEqualTo("p1");
        assertThat(plan.pair().keepRunsFor()).isEqualTo(Duration.ofMinutes(5));
        assertThat(plan.pair().resumeWithin()).isEqualTo(Duration.ofSeconds(45));
        assertThat(plan.pair().pki()).isEqualTo(Path.of("/run/k8s-state/pki"));
        assertThat(plan.profiles()).containsExactly("sleeper@r1");
        assertThat(plan.generation()).isEqualTo(3);
        assertThat(plan.pair().profiles().getFirst().daemons().getFirst().name())
                .isEqualTo("sleeper");
        assertThat(((Derivation.Run) derived).credentials().certificate()).isEqualTo("PEM of tls.crt");
        assertThat(plan.pair().spec().host().bridges())
                .as("none unless the pair allows some")
                .isEmpty();
        assertThat(plan.pair().hostState()).isEqualTo(Path.of("/run/dpu-offload/host-agent"));
    }

    @Test
    void theHostsAllowedBridgesAreThePairs() {
        OffloadNode resource = pair("p1", null, sleeper("r1"), null);
        OffloadNodeSpec spec = resource.getSpec();
        resource.setSpec(new OffloadNodeSpec(
                spec.hostNode(),
                spec.dpuNode(),
                spec.transport(),
                spec.profiles(),
                spec.keepRunsFor(),
                spec.resumeWithin(),
                List.of("br0", "br-vm")));
        Derivation derived = PairDerivation.derive(resource, AgentRole.HOST, settings("host-1"), fullSecret("host-1"));

        assertThat(((Derivation.Run) derived).plan().pair().spec().host().bridges())
                .containsExactly("br0", "br-vm");
    }

    @Test
    void theDpuDialsWhatTheHostReportedWithTheStandaloneRootAndState() {
        Derivation derived = PairDerivation.derive(
                pair("p1", null, sleeper("r1"), hostAt("tcp://198.51.100.1:7400")),
                AgentRole.DPU,
                settings("dpu-1"),
                fullSecret("dpu-1"));

        Plan plan = ((Derivation.Run) derived).plan();
        assertThat(plan.endpoint()).isEqualTo(new Endpoint.Tcp("198.51.100.1", 7400));
        assertThat(plan.pair().root()).isEqualTo(Path.of("/run/root"));
        assertThat(plan.pair().state()).isEqualTo(Path.of("/run/dpu-state"));
    }

    @Test
    void vsockListensOnAnyCidAndAdvertisesTheHostsCid() {
        Derivation derived = PairDerivation.derive(
                pair("p1", new TransportSpec(TransportKind.VSOCK, 7500, 3L), sleeper("r1"), null),
                AgentRole.HOST,
                settings("host-1"),
                fullSecret("host-1"));

        Plan plan = ((Derivation.Run) derived).plan();
        assertThat(plan.endpoint()).isInstanceOf(Endpoint.Vsock.class);
        assertThat(plan.pair().hostEndpoint()).isEqualTo("vsock://3:7500");
    }

    @Test
    void withoutPinnedProfilesTheAgentWaitsForTheOperator() {
        Derivation derived = PairDerivation.derive(
                pair("p1", null, null, null), AgentRole.HOST, settings("host-1"), fullSecret("host-1"));

        assertThat(derived).isInstanceOf(Derivation.Waiting.class);
        assertThat(((Derivation.Waiting) derived).reason()).isEqualTo("WaitingForOperator");
        assertThat(((Derivation.Waiting) derived).message()).contains("status.profiles");
    }

    @Test
    void withoutItsSecretTheAgentWaitsForTheOperatorAndSaysWhichSecret() {
        Derivation derived =
                PairDerivation.derive(pair("p1", null, sleeper("r1"), null), AgentRole.HOST, settings("host-1"), null);

        assertThat(((Derivation.Waiting) derived).reason()).isEqualTo("WaitingForOperator");
        assertThat(((Derivation.Waiting) derived).message()).contains("dpu-offload/dpuo-node-host-1");
    }

    @Test
    void aSecretWithoutTheKeyNamesTheMissingKeys() {
        Derivation derived = PairDerivation.derive(
                pair("p1", null, sleeper("r1"), null),
                AgentRole.HOST,
                settings("host-1"),
                Resources.secret("host-1", NodeSecrets.CA_CERT, NodeSecrets.CERT));

        assertThat(derived).isInstanceOf(Derivation.Invalid.class);
        assertThat(((Derivation.Invalid) derived).reason()).isEqualTo("SecretIncomplete");
        assertThat(((Derivation.Invalid) derived).message()).contains("tls.key").doesNotContain("ca.crt");
    }

    @Test
    void theDpuWaitsForTheHostsEndpoint() {
        Derivation derived = PairDerivation.derive(
                pair("p1", null, sleeper("r1"), null), AgentRole.DPU, settings("dpu-1"), fullSecret("dpu-1"));

        assertThat(((Derivation.Waiting) derived).reason()).isEqualTo("WaitingForHost");
        assertThat(((Derivation.Waiting) derived).message()).contains("host-1");
    }

    @Test
    void aHostWithoutAnAddressToAdvertiseIsRefused() {
        AgentSettings settings = settings("host-1");
        AgentSettings noAddress = new AgentSettings(
                settings.node(),
                settings.agent(),
                settings.namespace(),
                settings.state(),
                null,
                settings.root(),
                settings.dpuState());

        Derivation derived = PairDerivation.derive(
                pair("p1", null, sleeper("r1"), null), AgentRole.HOST, noAddress, fullSecret("host-1"));

        assertThat(((Derivation.Invalid) derived).message()).contains("HOST_IP", "--advertise");
    }

    @Test
    void anInvalidPinnedProfileIsRefusedNamingItsProblem() {
        var broken = ProfileResources.fromProfileYaml("""
                daemons:
                  - name: sleeper
                    command: []
                """);
        Derivation derived = PairDerivation.derive(
                pair("p1", null, List.of(new PinnedProfile("broken", "r9", broken)), null),
                AgentRole.HOST,
                settings("host-1"),
                fullSecret("host-1"));

        assertThat(((Derivation.Invalid) derived).reason()).isEqualTo("ProfileInvalid");
        assertThat(((Derivation.Invalid) derived).message()).contains("OffloadProfile broken");
    }

    @Test
    void nodesThatAreNotInThePairAreNoSideOfIt() {
        OffloadNode resource = pair("p1", null, sleeper("r1"), null);

        assertThat(AgentRole.HOST.isOf(resource, "host-1")).isTrue();
        assertThat(AgentRole.DPU.isOf(resource, "host-1")).isFalse();
        assertThat(AgentRole.HOST.isOf(resource, "node-9")).isFalse();
        assertThat(AgentRole.DPU.isOf(resource, "node-9")).isFalse();
    }

    @Test
    void aNewRevisionIsANewPlanForTheDpuButANewGenerationAloneIsNot() {
        Plan r1 = plan(pair("p1", null, sleeper("r1"), HOST_AT), AgentRole.DPU);
        OffloadNode edited = pair("p1", null, sleeper("r1"), HOST_AT);
        edited.getMetadata().setGeneration(4L);

        assertThat(plan(edited, AgentRole.DPU).runsAs(r1)).isTrue();
        assertThat(plan(pair("p1", null, sleeper("r2"), HOST_AT), AgentRole.DPU).runsAs(r1))
                .isFalse();
        assertThat(plan(pair("p1", new TransportSpec(null, 7500, null), sleeper("r1"), null), AgentRole.HOST)
                        .runsAs(plan(pair("p1", null, sleeper("r1"), null), AgentRole.HOST)))
                .as("the host on another port")
                .isFalse();
    }

    @Test
    void theHostRunsOnThroughARevisionThatServesTheSameButTheDpuStartsAgain() {
        var otherDaemon = List.of(new PinnedProfile("sleeper", "r2", ProfileResources.fromProfileYaml("""
                daemons:
                  - name: sleeper
                    command: [/bin/sleep, "200000"]
                """)));
        var newShare = List.of(new PinnedProfile("sleeper", "r3", ProfileResources.fromProfileYaml("""
                shares:
                  - {name: data, hostPath: /srv/data}
                daemons:
                  - name: sleeper
                    command: [/bin/sleep, "100000"]
                """)));
        OffloadNode r1 = pair("p1", null, sleeper("r1"), HOST_AT);
        OffloadNode r2 = pair("p1", null, otherDaemon, HOST_AT);
        OffloadNode r3 = pair("p1", null, newShare, HOST_AT);

        assertThat(plan(r2, AgentRole.HOST).runsAs(plan(r1, AgentRole.HOST)))
                .as("host, a new daemon command")
                .isTrue();
        assertThat(plan(r3, AgentRole.HOST).runsAs(plan(r1, AgentRole.HOST)))
                .as("host, a new share")
                .isFalse();
        assertThat(plan(r2, AgentRole.DPU).runsAs(plan(r1, AgentRole.DPU)))
                .as("DPU")
                .isFalse();
    }

    private static final io.dpuoffload.crd.node.AgentReport HOST_AT = hostAt("tcp://198.51.100.1:7400");

    private static Plan plan(OffloadNode resource, AgentRole role) {
        String node = role == AgentRole.HOST ? "host-1" : "dpu-1";
        return ((Derivation.Run) PairDerivation.derive(resource, role, settings(node), fullSecret(node))).plan();
    }
}
