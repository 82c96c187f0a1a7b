package io.dpuoffload.e2e.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.crd.NodeSecrets;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.OffloadProfile;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.DaemonReport;
import io.dpuoffload.crd.node.MountReport;
import io.dpuoffload.crd.node.PairConditions;
import io.dpuoffload.crd.node.PinnedProfile;
import io.dpuoffload.crd.profile.OffloadProfileSpec;
import io.dpuoffload.crd.profile.RootFileSpec;
import io.dpuoffload.e2e.kube.AgentReports.Side;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a fleet operator does and sees, through the API: apply the sample profile and pair, watch
 * the pair become Ready with libvirtd running in the DPU's root, change the profile and watch the
 * new revision reach the pair, delete the pair and see both agents tear down before it goes. On the
 * namespace pair the test also looks at the nodes themselves (virsh in the root, the profile's file,
 * nothing left behind); on a real cluster it cannot, and relies on the agents' reports.
 */
final class OperatorFlow {
    /** The file the profile change adds to the root: in libvirt's own directory, which the sandbox keeps. */
    static final String ADDED_FILE = "/etc/libvirt/dpuo-flow-rollout.conf";

    private static final String ADDED_CONTENT = "# added by the operator flow test\n";
    private static final Duration POLL = Duration.ofMillis(500);

    private final FlowCluster cluster;
    private final KubernetesClient kube;
    private final Samples samples;
    private final OffloadNode declared;
    private final String pairName;

    OperatorFlow(FlowCluster cluster, Samples samples, String hostNode, String dpuNode) {
        this.cluster = cluster;
        this.kube = cluster.client();
        this.samples = samples;
        this.declared = samples.pairOf(hostNode, dpuNode);
        this.pairName = declared.getMetadata().getName();
    }

    /** The whole flow; after a failure, the OffloadNode, its profile, its Events and the logs are printed. */
    void run() throws Exception {
        TornDownSeen tornDown = new TornDownSeen();
        try (Watch watch = kube.resources(OffloadNode.class).withName(pairName).watch(tornDown)) {
            String first = applyAndAwaitReady();
            rollOut(first);
            deleteAndAwaitNothingLeft(tornDown);
        } catch (Exception | Error e) {
            System.err.println(diagnostics());
            throw e;
        }
    }

    private String applyAndAwaitReady() {
        for (String name : declared.getSpec().profiles()) {
            kube.resource(samples.profile(name)).createOr(NonDeletingOperation::update);
        }
        kube.resource(declared).createOr(NonDeletingOperation::update);

        OffloadNode ready = await().atMost(cluster.bounds().ready())
                .pollInterval(POLL)
                .ignoreExceptions()
                .until(this::pair, OperatorFlow::ready);
        String revision = profileRevision();
        assertReadyRunning(ready, revision);
        for (String node :
                List.of(declared.getSpec().hostNode(), declared.getSpec().dpuNode())) {
            assertThat(secret(node)).as("the Secret of node %s", node).isNotNull();
        }

        // libvirtd runs in the DPU's root and answers: the agent's health check (libvirt's client
        // library lists the domains) and, where the test reaches the node, virsh in the root.
        await().atMost(cluster.bounds().ready()).pollInterval(POLL).untilAsserted(() -> assertThat(
                        daemon(AgentReports.of(pair(), Side.DPU), "libvirtd").healthy())
                .as("libvirtd's health in the DPU's report")
                .isTrue());
        assertThat(daemon(AgentReports.of(pair(), Side.DPU), "virtlogd").running())
                .isTrue();
        cluster.nodes().ifPresent(nodes -> assertThat(nodes.virshInRoot("list", "--all"))
                .as("virsh list in the DPU's root")
                .contains("Id", "Name", "State"));
        return revision;
    }

    /** A root file added to the profile: a new revision, pinned, applied by both agents, Ready again. */
    private void rollOut(String before) {
        String profileName = declared.getSpec().profiles().getFirst();
        await().atMost(cluster.bounds().rollout()).ignoreExceptions().until(() -> {
            OffloadProfile profile =
                    kube.resources(OffloadProfile.class).withName(profileName).get();
            profile.setSpec(withFile(profile.getSpec()));
            kube.resource(profile).update(); // a conflict with the operator's status write: again
            return true;
        });
        await().atMost(cluster.bounds().rollout()).pollInterval(POLL).until(() -> !before.equals(profileRevision()));
        String after = profileRevision();
        OffloadNode ready = await().atMost(cluster.bounds().rollout())
                .pollInterval(POLL)
                .until(this::pair, pair -> ready(pair) && pinned(pair).contains(profileName + "@" + after));
        assertReadyRunning(ready, after);
        await().atMost(cluster.bounds().rollout()).pollInterval(POLL).untilAsserted(() -> assertThat(
                        kube.resources(OffloadProfile.class)
                                .withName(profileName)
                                .get()
                                .getStatus()
                                .rollout())
                .as("the profile's rollout")
                .satisfies(rollout -> {
                    assertThat(rollout.pairs()).isEqualTo(1);
                    assertThat(rollout.updated()).isEqualTo(1);
                }));
        assertThat(events()).as("the pair's Events").anySatisfy(event -> {
            assertThat(event.getReason()).isEqualTo("ProfilePinned");
            assertThat(event.getMessage()).contains(profileName + "@" + after);
        });
        cluster.nodes().ifPresent(nodes -> {
            assertThat(nodes.readInRoot(ADDED_FILE))
                    .as("the new file in the DPU's root")
                    .isEqualTo(ADDED_CONTENT);
            assertThat(nodes.virshInRoot("list", "--all"))
                    .as("virsh list in the DPU's root, after the restart with the new revision")
                    .contains("Id");
        });
    }

    private void deleteAndAwaitNothingLeft(TornDownSeen tornDown) {
        List<DaemonReport> daemons = AgentReports.of(pair(), Side.DPU).daemons();
        kube.resources(OffloadNode.class).withName(pairName).delete();
        await().atMost(cluster.bounds().teardown()).pollInterval(POLL).until(() -> pair() == null);
        assertThat(tornDown.sides)
                .as("the sides whose agents reported tornDown before the OffloadNode went")
                .containsExactlyInAnyOrder(Side.HOST, Side.DPU);
        assertThat(events()).extracting(Event::getReason).contains("TornDown").doesNotContain("TeardownSkipped");
        for (String node :
                List.of(declared.getSpec().hostNode(), declared.getSpec().dpuNode())) {
            await().atMost(cluster.bounds().teardown()).pollInterval(POLL).untilAsserted(() -> assertThat(secret(node))
                    .as("the Secret of node %s", node)
                    .isNull());
        }
        cluster.nodes().ifPresent(nodes -> nodes.assertNothingLeft(daemons, List.of(ADDED_FILE)));
    }

    /**
     * Ready for the current generation, running {@code revision} of the pair's profile: the
     * operator's conditions, its pins, and both agents' reports.
     */
    private void assertReadyRunning(OffloadNode pair, String revision) {
        long generation = pair.getMetadata().getGeneration();
        String running = declared.getSpec().profiles().getFirst() + "@" + revision;
        assertThat(pair.getStatus().conditions())
                .as("the pair's conditions")
                .filteredOn(condition -> "True".equals(condition.getStatus()))
                .extracting(Condition::getType)
                .containsAll(PairConditions.PARTS)
                .contains(PairConditions.READY);
        assertThat(pair.getStatus().observedGeneration()).isEqualTo(generation);
        assertThat(pinned(pair)).as("the operator's pins").containsExactly(running);
        for (Side side : Side.values()) {
            AgentReport report = AgentReports.of(pair, side);
            assertThat(report.profiles())
                    .as("what the %s agent runs", side.field())
                    .containsExactly(running);
            assertThat(report.observedGeneration())
                    .as("the %s agent's generation", side.field())
                    .isEqualTo(generation);
            assertThat(AgentReports.statuses(report))
                    .as("the %s agent's conditions", side.field())
                    .containsOnly("True");
        }
        assertThat(AgentReports.of(pair, Side.DPU).mounts())
                .as("the DPU root's steps")
                .isNotEmpty()
                .extracting(MountReport::phase)
                .allSatisfy(phase -> assertThat(phase).isIn("APPLIED", "ADOPTED"));
    }

    private static OffloadProfileSpec withFile(OffloadProfileSpec spec) {
        List<RootFileSpec> files = new ArrayList<>(spec.files() == null ? List.of() : spec.files());
        files.removeIf(file -> file.path().equals(ADDED_FILE));
        files.add(new RootFileSpec(ADDED_FILE, ADDED_CONTENT));
        return spec.withFiles(files);
    }

    private static boolean ready(OffloadNode pair) {
        return pair != null
                && pair.getStatus() != null
                && pair.getStatus().conditions() != null
                && pair.getStatus().conditions().stream()
                        .anyMatch(c -> PairConditions.READY.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static List<String> pinned(OffloadNode pair) {
        return pair.getStatus() == null || pair.getStatus().profiles() == null
                ? List.of()
                : pair.getStatus().profiles().stream()
                        .map(PinnedProfile::reference)
                        .toList();
    }

    private static DaemonReport daemon(AgentReport dpu, String name) {
        assertThat(dpu.daemons()).as("the DPU's daemons").isNotNull();
        return dpu.daemons().stream()
                .filter(d -> d.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no daemon " + name + " in " + dpu.daemons()));
    }

    /** The current revision of the pair's profile, as the operator computed it. */
    private String profileRevision() {
        OffloadProfile profile = kube.resources(OffloadProfile.class)
                .withName(declared.getSpec().profiles().getFirst())
                .get();
        String revision =
                profile.getStatus() == null ? null : profile.getStatus().revision();
        assertThat(revision)
                .as("status.revision of %s", profile.getMetadata().getName())
                .isNotNull();
        return revision;
    }

    private OffloadNode pair() {
        return kube.resources(OffloadNode.class).withName(pairName).get();
    }

    private io.fabric8.kubernetes.api.model.Secret secret(String node) {
        return kube.secrets()
                .inNamespace(cluster.namespace())
                .withName(NodeSecrets.name(node))
                .get();
    }

    private List<Event> events() {
        return kube.v1().events().inNamespace(cluster.namespace()).list().getItems().stream()
                .filter(e -> e.getInvolvedObject() != null
                        && pairName.equals(e.getInvolvedObject().getName())
                        && "OffloadNode".equals(e.getInvolvedObject().getKind()))
                .toList();
    }

    private String diagnostics() {
        StringBuilder text = new StringBuilder("==== the operator flow failed; OffloadNode ")
                .append(pairName)
                .append(":\n");
        try {
            OffloadNode pair = pair();
            text.append(pair == null ? "(gone)\n" : Serialization.asYaml(pair));
            for (String name : declared.getSpec().profiles()) {
                text.append("---- OffloadProfile ")
                        .append(name)
                        .append(":\n")
                        .append(Serialization.asYaml(kube.resources(OffloadProfile.class)
                                .withName(name)
                                .get()));
            }
            text.append("---- its Events:\n");
            events().forEach(e -> text.append(e.getType())
                    .append(' ')
                    .append(e.getReason())
                    .append(": ")
                    .append(e.getMessage())
                    .append('\n'));
        } catch (RuntimeException e) {
            text.append("(the API server did not answer: ").append(e).append(")\n");
        }
        return text.append(cluster.logs()).toString();
    }

    /** Every side whose agent reported {@code tornDown} in a version of the OffloadNode that the watch saw. */
    private static final class TornDownSeen implements Watcher<OffloadNode> {
        final Set<Side> sides = ConcurrentHashMap.newKeySet();

        @Override
        public void eventReceived(Action action, OffloadNode pair) {
            for (Side side : EnumSet.allOf(Side.class)) {
                AgentReport report = AgentReports.find(pair, side);
                if (report != null && Objects.equals(report.tornDown(), Boolean.TRUE)) {
                    sides.add(side);
                }
            }
        }

        @Override
        public void onClose(WatcherException cause) {
            // Fabric8 reconnects a watch that the server closes; an error ending it shows as a
            // side missing from the set.
        }
    }
}
