package io.dpuoffload.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.api.yaml.SpecFiles;
import io.dpuoffload.crd.NodeRoles;
import io.dpuoffload.crd.NodeSecrets;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.OffloadProfile;
import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.dpuoffload.crd.node.PairConditions;
import io.dpuoffload.crd.node.PinnedProfile;
import io.dpuoffload.crd.profile.OffloadProfileSpec;
import io.dpuoffload.crd.profile.ProfileResources;
import io.dpuoffload.crd.profile.RolloutSpec;
import io.dpuoffload.crd.profile.RootFileSpec;
import io.dpuoffload.operator.pair.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator against Fabric8's mock API server (CRUD mode), with the agents' reports written as
 * the agents write them: what a fleet operator sees after {@code kubectl apply}.
 */
class OperatorFlowTest {
    private static final String NAMESPACE = "dpu-offload";
    private static final Duration BOUND = Duration.ofSeconds(30);

    private MockCluster cluster;
    private OperatorRuntime operator;
    private final MovableClock clock = new MovableClock();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        for (int i = 1; i <= 3; i++) {
            cluster.node("host-" + i, NodeRoles.HOST);
            cluster.node("dpu-" + i, NodeRoles.DPU);
        }
        cluster.client.resource(new OffloadProfile("libvirt", libvirt())).create();
        operator = OperatorRuntime.start(
                cluster.client, new OperatorSettings(NAMESPACE, "operator-test", 0, false, false, clock));
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.close();
        }
        cluster.close();
    }

    @Test
    void aPairBecomesReadyWhenBothAgentsReportAndGetsItsCertificates() {
        pair("rack1", "host-1", "dpu-1");

        OffloadNode pinned = awaitPair(
                "rack1",
                p -> p.getStatus() != null
                        && p.getStatus().profiles() != null
                        && !p.getStatus().profiles().isEmpty());
        assertThat(pinned.getStatus().profiles())
                .extracting(PinnedProfile::name)
                .containsExactly("libvirt");
        assertThat(pinned.getStatus().profiles().getFirst().revision())
                .isEqualTo(ProfileResources.revision("libvirt", libvirt()));
        assertThat(ready(pinned)).map(Condition::getStatus).contains("Unknown");
        for (String node : List.of("host-1", "dpu-1")) {
            var secret = cluster.client
                    .secrets()
                    .inNamespace(NAMESPACE)
                    .withName(NodeSecrets.name(node))
                    .get();
            assertThat(secret).as("Secret of " + node).isNotNull();
            assertThat(secret.getData()).containsKeys(NodeSecrets.CA_CERT, NodeSecrets.CERT, NodeSecrets.KEY);
        }

        await().atMost(BOUND).untilAsserted(() -> assertThat(agentSecretNames())
                .as("the agents may read exactly the pair's node Secrets, never the CA's")
                .containsExactly(NodeSecrets.name("dpu-1"), NodeSecrets.name("host-1")));

        SimulatedAgent.host(cluster.client).reportReady("rack1", clock.instant());
        SimulatedAgent.dpu(cluster.client).reportReady("rack1", clock.instant());

        OffloadNode done = awaitPair("rack1", p -> holds(p, PairConditions.READY));
        for (String part : PairConditions.PARTS) {
            assertThat(holds(done, part)).as(part).isTrue();
        }
        assertThat(done.getStatus().host())
                .as("the agents' reports are kept beside the operator's status")
                .isNotNull();
        assertThat(done.getStatus().observedGeneration())
                .isEqualTo(done.getMetadata().getGeneration());
        await().atMost(BOUND).until(() -> eventsAbout("rack1").stream()
                .anyMatch(e -> e.getReason().equals("Ready")));
    }

    @Test
    void aSilentAgentMakesThePairUnknown() {
        pair("rack1", "host-1", "dpu-1");
        awaitPair("rack1", p -> p.getStatus() != null && p.getStatus().profiles() != null);
        SimulatedAgent.host(cluster.client).reportReady("rack1", clock.instant());
        SimulatedAgent.dpu(cluster.client).reportReady("rack1", clock.instant());
        awaitPair("rack1", p -> holds(p, PairConditions.READY));

        clock.advance(Duration.ofMinutes(2));
        touch("rack1");

        OffloadNode silent = awaitPair("rack1", p -> !holds(p, PairConditions.READY));
        assertThat(Conditions.find(silent.getStatus().conditions(), PairConditions.CHANNEL_READY))
                .map(Condition::getReason)
                .contains("AgentSilent");
    }

    @Test
    void badDeclarationsGetAConditionAndAnEventNotACrash() {
        pair("no-profile", "host-1", "dpu-1", "nonesuch");
        pair("no-node", "host-9", "dpu-9");
        cluster.client.nodes().withName("dpu-3").edit(n -> {
            n.getMetadata().getLabels().put(NodeRoles.LABEL, "host");
            return n;
        });
        pair("unlabelled", "host-3", "dpu-3");

        assertThat(reasonOf("no-profile")).isEqualTo("ProfileNotFound");
        assertThat(reasonOf("no-node")).isEqualTo("NodeNotFound");
        assertThat(reasonOf("unlabelled")).isEqualTo("NodeNotLabelled");
        assertThat(messageOf("unlabelled")).contains("kubectl label node dpu-3 dpuoffload.io/role=dpu");
        await().atMost(BOUND)
                .until(() -> eventsAbout("no-profile").stream().anyMatch(e -> "Warning".equals(e.getType())));

        pair("first", "host-2", "dpu-2");
        awaitPair("first", p -> p.getStatus() != null && p.getStatus().profiles() != null);
        pair("second", "host-3", "dpu-2");
        assertThat(reasonOf("second")).isEqualTo("DuplicateClaim");
        assertThat(messageOf("second")).contains("dpu-2").contains("first");

        cluster.client
                .resource(new OffloadProfile(
                        "broken",
                        new OffloadProfileSpec(
                                null, null, null, List.of("relative/path"), null, null, null, null, null)))
                .create();
        cluster.node("host-4", NodeRoles.HOST);
        cluster.node("dpu-4", NodeRoles.DPU);
        pair("uses-broken", "host-4", "dpu-4", "broken");
        assertThat(reasonOf("uses-broken")).isEqualTo("ProfileInvalid");
    }

    @Test
    void aProfileChangeRollsOutOnePairAtATime() {
        twoReadyPairs();
        String before = ProfileResources.revision("libvirt", libvirt());

        editProfile(spec -> changed(spec));
        String after = ProfileResources.revision("libvirt", changed(libvirt()));

        await().atMost(BOUND).until(() -> pinnedRevisions().contains(after));
        assertThat(pinnedRevisions()).as("one pair at a time").containsExactlyInAnyOrder(before, after);
        String first = revisionOf("a").equals(after) ? "a" : "b";
        String second = first.equals("a") ? "b" : "a";
        // the pair being updated is not Ready until its agents run the new revision
        await().atMost(BOUND).until(() -> !holds(get(first), PairConditions.READY));
        assertThat(revisionOf(second)).isEqualTo(before);

        SimulatedAgent.host(cluster.client).reportReady(first, clock.instant());
        SimulatedAgent.dpu(cluster.client).reportReady(first, clock.instant());
        awaitPair(first, p -> holds(p, PairConditions.READY));

        await().atMost(BOUND).until(() -> revisionOf(second).equals(after));
        SimulatedAgent.host(cluster.client).reportReady(second, clock.instant());
        SimulatedAgent.dpu(cluster.client).reportReady(second, clock.instant());
        await().atMost(BOUND).until(() -> holds(get(second), PairConditions.READY));
        await().atMost(BOUND).until(() -> {
            var status = cluster.client
                    .resources(OffloadProfile.class)
                    .withName("libvirt")
                    .get()
                    .getStatus();
            return status != null
                    && status.rollout() != null
                    && status.rollout().updated() == 2
                    && after.equals(status.revision());
        });
    }

    @Test
    void aPausedRolloutStopsAfterThePairBeingUpdated() {
        twoReadyPairs();
        String before = ProfileResources.revision("libvirt", libvirt());
        editProfile(old -> {
            var spec = changed(old);
            return spec.withRollout(new RolloutSpec(true, null));
        });

        await().during(Duration.ofSeconds(8)).atMost(BOUND).until(() -> pinnedRevisions().stream()
                .allMatch(before::equals));
        assertThat(profileCondition("RolloutProgressing"))
                .map(Condition::getReason)
                .contains("Paused");
    }

    @Test
    void aPairThatDoesNotBecomeReadyStopsTheRolloutWithAConditionSayingWhy() {
        twoReadyPairs();
        String before = ProfileResources.revision("libvirt", libvirt());
        editProfile(spec -> changed(spec));
        String after = ProfileResources.revision("libvirt", changed(libvirt()));
        await().atMost(BOUND).until(() -> pinnedRevisions().contains(after));
        String stuck = revisionOf("a").equals(after) ? "a" : "b";

        // its agents never run the new revision; the deadline (10 minutes by default) passes
        clock.advance(Duration.ofMinutes(11));

        await().atMost(BOUND).untilAsserted(() -> {
            Optional<Condition> progressing = profileCondition("RolloutProgressing");
            assertThat(progressing).map(Condition::getStatus).contains("False");
            assertThat(progressing).map(Condition::getReason).contains("PairNotReady");
            assertThat(progressing).map(Condition::getMessage).hasValueSatisfying(m -> assertThat(m)
                    .contains("pair " + stuck)
                    .contains("did not become Ready with revision " + after)
                    // and why, in the pair's own words: its agents still run the old revision, or,
                    // the clock having moved 11 minutes, their reports are stale by now
                    .containsAnyOf("ApplyingProfiles", "more than 90 s ago"));
        });
        assertThat(pinnedRevisions())
                .as("the rollout stopped at the stuck pair")
                .containsExactlyInAnyOrder(before, after);
        await().atMost(BOUND).until(() -> cluster.client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .anyMatch(e -> "PairNotReady".equals(e.getReason()) && "Warning".equals(e.getType())));
    }

    @Test
    void deletionWaitsForBothAgentsToTearDownThenRemovesTheSecrets() {
        pair("rack1", "host-1", "dpu-1");
        awaitPair("rack1", p -> p.getStatus() != null && p.getStatus().profiles() != null);
        cluster.client.resources(OffloadNode.class).withName("rack1").delete();

        OffloadNode deleting = awaitPair("rack1", p -> p.getMetadata().getDeletionTimestamp() != null);
        assertThat(deleting.getMetadata().getFinalizers()).isNotEmpty();
        SimulatedAgent.host(cluster.client).reportTornDown("rack1", clock.instant());
        assertThat(get("rack1")).as("still there with only the host torn down").isNotNull();
        SimulatedAgent.dpu(cluster.client).reportTornDown("rack1", clock.instant());

        await().atMost(BOUND).until(() -> get("rack1") == null);
        assertThat(cluster.client
                        .secrets()
                        .inNamespace(NAMESPACE)
                        .withName(NodeSecrets.name("host-1"))
                        .get())
                .isNull();
    }

    @Test
    void aPairWhoseAgentsAreGoneIsDeletedAfterTheBoundWithAnEvent() {
        pair("orphan", "host-1", "dpu-1");
        awaitPair("orphan", p -> p.getStatus() != null && p.getStatus().profiles() != null);
        cluster.client.resources(OffloadNode.class).withName("orphan").delete();
        awaitPair("orphan", p -> p.getMetadata().getDeletionTimestamp() != null);

        clock.advance(Duration.ofMinutes(3));

        await().atMost(BOUND).until(() -> get("orphan") == null);
        assertThat(cluster.client.v1().events().inNamespace(NAMESPACE).list().getItems())
                .anyMatch(e -> e.getReason().equals("TeardownSkipped")
                        && e.getMessage().contains("host host-1")
                        && e.getMessage().contains("DPU dpu-1"));
    }

    // --- helpers ---

    /** Pairs a (host-1, dpu-1) and b (host-2, dpu-2), each Ready with both agents reporting. */
    private void twoReadyPairs() {
        pair("a", "host-1", "dpu-1");
        pair("b", "host-2", "dpu-2");
        for (String name : List.of("a", "b")) {
            awaitPair(name, p -> p.getStatus() != null && p.getStatus().profiles() != null);
            SimulatedAgent.host(cluster.client).reportReady(name, clock.instant());
            SimulatedAgent.dpu(cluster.client).reportReady(name, clock.instant());
            awaitPair(name, p -> holds(p, PairConditions.READY));
        }
    }

    private List<String> agentSecretNames() {
        var role = cluster.client
                .rbac()
                .roles()
                .inNamespace(NAMESPACE)
                .withName("dpuo-agent-secrets")
                .get();
        return role == null || role.getRules() == null
                ? List.of()
                : role.getRules().stream()
                        .flatMap(rule -> rule.getResourceNames().stream())
                        .toList();
    }

    /** A user's edit: read, change, write; again on a conflict (the operator writes the status meanwhile). */
    private void editProfile(java.util.function.UnaryOperator<OffloadProfileSpec> change) {
        await().atMost(BOUND).ignoreExceptions().until(() -> {
            OffloadProfile profile = cluster.client
                    .resources(OffloadProfile.class)
                    .withName("libvirt")
                    .get();
            profile.setSpec(change.apply(profile.getSpec()));
            cluster.client.resource(profile).update();
            return true;
        });
    }

    private static OffloadProfileSpec libvirt() {
        return ProfileResources.fromProfileYaml(SpecFiles.builtIn("libvirt"));
    }

    private static OffloadProfileSpec changed(OffloadProfileSpec spec) {
        List<RootFileSpec> files = new ArrayList<>(spec.files() == null ? List.of() : spec.files());
        files.add(new RootFileSpec("/etc/dpu-offload-test/changed", "a change\n"));
        return spec.withFiles(files);
    }

    private void pair(String name, String host, String dpu, String... profiles) {
        List<String> names = profiles.length == 0 ? List.of("libvirt") : List.of(profiles);
        cluster.client
                .resource(new OffloadNode(name, new OffloadNodeSpec(host, dpu, null, names, null, null)))
                .create();
    }

    private OffloadNode get(String name) {
        return cluster.client.resources(OffloadNode.class).withName(name).get();
    }

    private void touch(String name) {
        cluster.client.resources(OffloadNode.class).withName(name).edit(p -> {
            p.getMetadata().getAnnotations().put("test/touched", clock.instant().toString());
            return p;
        });
    }

    private OffloadNode awaitPair(String name, java.util.function.Predicate<OffloadNode> condition) {
        try {
            await().atMost(BOUND).until(() -> {
                OffloadNode pair = get(name);
                return pair != null && condition.test(pair);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "OffloadNode " + name + " did not get there; it is: "
                            + io.fabric8.kubernetes.client.utils.Serialization.asYaml(get(name)),
                    e);
        }
        return get(name);
    }

    private String reasonOf(String pair) {
        return awaitPair(pair, p -> ready(p).isPresent()).getStatus().conditions().stream()
                .filter(c -> c.getType().equals(PairConditions.READY))
                .findFirst()
                .orElseThrow()
                .getReason();
    }

    private String messageOf(String pair) {
        return ready(get(pair)).orElseThrow().getMessage();
    }

    private String revisionOf(String pair) {
        return get(pair).getStatus().profiles().getFirst().revision();
    }

    private List<String> pinnedRevisions() {
        return cluster.client.resources(OffloadNode.class).list().getItems().stream()
                .map(p -> p.getStatus().profiles().getFirst().revision())
                .toList();
    }

    private Optional<Condition> profileCondition(String type) {
        var status = cluster.client
                .resources(OffloadProfile.class)
                .withName("libvirt")
                .get()
                .getStatus();
        return status == null ? Optional.empty() : Conditions.find(status.conditions(), type);
    }

    private static Optional<Condition> ready(OffloadNode pair) {
        return pair.getStatus() == null
                ? Optional.empty()
                : Conditions.find(pair.getStatus().conditions(), PairConditions.READY);
    }

    private static boolean holds(OffloadNode pair, String type) {
        return pair != null
                && pair.getStatus() != null
                && Conditions.holds(pair.getStatus().conditions(), type);
    }

    private List<Event> eventsAbout(String pair) {
        return cluster.client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> e.getInvolvedObject() != null
                        && pair.equals(e.getInvolvedObject().getName()))
                .toList();
    }
}
