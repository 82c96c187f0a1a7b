package io.dpuoffload.operator.pair;

import io.dpuoffload.crd.NodeSecrets;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.OffloadProfile;
import io.dpuoffload.crd.node.OffloadNodeStatus;
import io.dpuoffload.crd.node.PairConditions;
import io.dpuoffload.crd.node.PinnedProfile;
import io.dpuoffload.operator.EventRecorder;
import io.dpuoffload.operator.certs.AgentSecretsRole;
import io.dpuoffload.operator.certs.NodeCertificates;
import io.dpuoffload.operator.profile.RolloutGate;
import io.dpuoffload.operator.profile.RolloutState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reconciles an OffloadNode: checks the declaration ({@link Declaration}), keeps both nodes'
 * certificates current ({@link NodeCertificates}), pins the profile revisions the pair is to run
 * ({@link Pinning}), and sets the conditions from the agents' reports ({@link Readiness}); records
 * an Event on every transition. Status goes by a merge patch of the operator's own fields only, so
 * the agents' reports beside them are never overwritten. Deletion waits for both agents to tear
 * down, at most {@link #TEARDOWN_BOUND}.
 */
@ControllerConfiguration(name = PairReconciler.NAME, generationAwareEventProcessing = false)
public final class PairReconciler implements Reconciler<OffloadNode>, Cleaner<OffloadNode> {
    public static final String NAME = "offloadnode";
    /** Agents tear down in seconds; a minute and a half covers a slow daemon stop and a report or two. */
    public static final Duration TEARDOWN_BOUND = Duration.ofSeconds(90);
    /** How often a pair that waits (for a rollout, a teardown, its agents) is looked at again. */
    static final Duration RECHECK = Duration.ofSeconds(5);
    /** Reports go stale without any event: look at a Ready pair this often to notice. */
    static final Duration STALENESS_CHECK = Duration.ofSeconds(30);

    private static final String BY_PROFILE = "byProfile";
    private static final String BY_NODE = "byNode";

    private final PairStatusWriter writer;
    private final NodeCertificates certificates;
    private final EventRecorder events;
    private final RolloutGate gate;
    private final Clock clock;
    private final PairCensus census;
    private final AgentSecretsRole agentSecrets;

    public PairReconciler(
            PairStatusWriter writer,
            NodeCertificates certificates,
            EventRecorder events,
            RolloutGate gate,
            PairCensus census,
            AgentSecretsRole agentSecrets,
            Clock clock) {
        this.census = census;
        this.agentSecrets = agentSecrets;
        this.writer = writer;
        this.certificates = certificates;
        this.events = events;
        this.gate = gate;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, OffloadNode>> prepareEventSources(EventSourceContext<OffloadNode> context) {
        var pairs = context.getPrimaryCache();
        pairs.addIndexer(
                BY_PROFILE,
                pair -> pair.getSpec() == null ? List.of() : pair.getSpec().profiles());
        pairs.addIndexer(
                BY_NODE,
                pair -> pair.getSpec() == null
                        ? List.of()
                        : List.of(pair.getSpec().hostNode(), pair.getSpec().dpuNode()));
        var profiles = InformerEventSourceConfiguration.from(OffloadProfile.class, OffloadNode.class)
                .withName("profiles")
                // a pair reads a profile's spec only; its status (the rollout's progress, written at
                // each step) woke every pair of the profile at every step of a rollout
                .withOnUpdateFilter((OffloadProfile newer, OffloadProfile older) ->
                        !Objects.equals(newer.getSpec(), older.getSpec()))
                .withSecondaryToPrimaryMapper((OffloadProfile profile) ->
                        ids(pairs.byIndex(BY_PROFILE, profile.getMetadata().getName())))
                .withPrimaryToSecondaryMapper((OffloadNode pair) -> pair.getSpec() == null
                        ? Set.of()
                        : pair.getSpec().profiles().stream()
                                .map(ResourceID::new)
                                .collect(Collectors.toSet()))
                .build();
        var nodes = InformerEventSourceConfiguration.from(Node.class, OffloadNode.class)
                .withName("nodes")
                // a pair reads a Node's existence and role label only, not the status kubelets update
                .withOnUpdateFilter((Node newer, Node older) -> !Objects.equals(
                        newer.getMetadata().getLabels(), older.getMetadata().getLabels()))
                .withSecondaryToPrimaryMapper((Node node) ->
                        ids(pairs.byIndex(BY_NODE, node.getMetadata().getName())))
                .withPrimaryToSecondaryMapper((OffloadNode pair) -> pair.getSpec() == null
                        ? Set.of()
                        : Set.of(
                                new ResourceID(pair.getSpec().hostNode()),
                                new ResourceID(pair.getSpec().dpuNode())))
                .build();
        return List.of(new InformerEventSource<>(profiles, context), new InformerEventSource<>(nodes, context));
    }

    private static Set<ResourceID> ids(List<OffloadNode> pairs) {
        return pairs.stream().map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    @Override
    public UpdateControl<OffloadNode> reconcile(OffloadNode pair, Context<OffloadNode> context) {
        Instant now = clock.instant();
        Map<String, Node> nodes = byName(context.getSecondaryResources(Node.class));
        Map<String, OffloadProfile> profiles = byName(context.getSecondaryResources(OffloadProfile.class));
        List<OffloadNode> all = context.getPrimaryCache().list().toList();
        long generation = pair.getMetadata().getGeneration() == null
                ? 0
                : pair.getMetadata().getGeneration();
        OffloadNodeStatus before = pair.getStatus() == null
                ? new OffloadNodeStatus(null, List.of(), List.of(), null, null)
                : pair.getStatus();

        Optional<Declaration.Problem> problem = Declaration.problem(pair, nodes, profiles, all);
        if (problem.isPresent()) {
            List<Conditions.Wanted> wanted = new ArrayList<>();
            for (String part : PairConditions.PARTS) {
                wanted.add(new Conditions.Wanted(
                        part,
                        Conditions.UNKNOWN,
                        problem.get().reason(),
                        problem.get().message()));
            }
            wanted.add(new Conditions.Wanted(
                    PairConditions.READY,
                    Conditions.FALSE,
                    problem.get().reason(),
                    problem.get().message()));
            publish(
                    pair,
                    before,
                    Conditions.merge(before.conditions(), wanted, generation, now),
                    before.profiles(),
                    generation);
            return UpdateControl.noUpdate();
        }

        for (String node : List.of(pair.getSpec().hostNode(), pair.getSpec().dpuNode())) {
            certificates
                    .ensure(node, now)
                    .issued()
                    .ifPresent(why -> events.normal(
                            pair,
                            "CertificateIssued",
                            "issued the certificate of node " + node + " (" + why + ") in Secret "
                                    + NodeSecrets.name(node)));
        }

        agentSecrets.grant(pairedNodes(all));

        Map<String, Declaration.CurrentProfile> current = Declaration.currentProfiles(pair, profiles);
        Map<String, RolloutState> rollouts = new HashMap<>();
        for (var profile : current.values()) {
            rollouts.put(profile.name(), RolloutState.of(profile.resource(), profile.revision(), all, now));
        }
        Pinning.Result pinning = Pinning.pins(pair, current, rollouts, gate, now);
        pinning.pins().stream()
                .filter(pin ->
                        before.profiles() == null || before.profiles().stream().noneMatch(pin::equals))
                .forEach(pin ->
                        events.normal(pair, "ProfilePinned", "the pair is to run OffloadProfile " + pin.reference()));

        List<Condition> conditions = Conditions.merge(
                before.conditions(),
                Readiness.of(before.host(), before.dpu(), pinning.pins(), generation, now),
                generation,
                now);
        publish(pair, before, conditions, pinning.pins(), generation);
        UpdateControl<OffloadNode> control = UpdateControl.noUpdate();
        return control.rescheduleAfter(pinning.waitingForRollout() ? RECHECK : STALENESS_CHECK);
    }

    private void publish(
            OffloadNode pair,
            OffloadNodeStatus before,
            List<Condition> conditions,
            List<PinnedProfile> pins,
            long generation) {
        for (Condition changed : Conditions.transitions(before.conditions(), conditions)) {
            String text = changed.getType() + " is " + changed.getStatus() + " (" + changed.getReason() + "): "
                    + changed.getMessage();
            if (Conditions.TRUE.equals(changed.getStatus())) {
                events.normal(pair, changed.getType(), text);
            } else {
                events.warning(pair, changed.getType(), text);
            }
        }
        census.record(
                pair.getMetadata().getName(),
                Conditions.find(conditions, PairConditions.READY)
                        .map(Condition::getStatus)
                        .orElse(Conditions.UNKNOWN));
        boolean same = Conditions.same(before.conditions(), conditions)
                && java.util.Objects.equals(before.profiles(), pins)
                && java.util.Objects.equals(before.observedGeneration(), generation);
        if (!same) {
            writer.write(pair.getMetadata().getName(), generation, conditions, pins);
        }
    }

    @Override
    public DeleteControl cleanup(OffloadNode pair, Context<OffloadNode> context) {
        var status = pair.getStatus();
        boolean hostDone = status != null
                && status.host() != null
                && Boolean.TRUE.equals(status.host().tornDown());
        boolean dpuDone = status != null
                && status.dpu() != null
                && Boolean.TRUE.equals(status.dpu().tornDown());
        Instant since = Optional.ofNullable(pair.getMetadata().getDeletionTimestamp())
                .map(Instant::parse)
                .orElse(clock.instant());
        boolean overdue = Duration.between(since, clock.instant()).compareTo(TEARDOWN_BOUND) > 0;
        if (!(hostDone && dpuDone) && !overdue) {
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(RECHECK);
        }
        if (hostDone && dpuDone) {
            events.normal(pair, "TornDown", "both agents tore the pair down");
        } else {
            List<String> missing = new ArrayList<>();
            if (!hostDone) {
                missing.add(
                        "host " + (pair.getSpec() == null ? "?" : pair.getSpec().hostNode()));
            }
            if (!dpuDone) {
                missing.add(
                        "DPU " + (pair.getSpec() == null ? "?" : pair.getSpec().dpuNode()));
            }
            events.warning(
                    pair,
                    "TeardownSkipped",
                    "no teardown report within " + TEARDOWN_BOUND.toSeconds() + " s from "
                            + String.join(" and ", missing)
                            + "; deleted anyway: check those nodes for a leftover root, mounts or daemons");
        }
        removeUnusedSecrets(pair, context);
        census.forget(pair.getMetadata().getName());
        return DeleteControl.defaultDelete();
    }

    /** The nodes of every pair that is not being deleted: the Secrets agents may read. */
    private static Set<String> pairedNodes(List<OffloadNode> pairs) {
        return pairs.stream()
                .filter(p -> p.getSpec() != null && p.getMetadata().getDeletionTimestamp() == null)
                .flatMap(p -> java.util.stream.Stream.of(
                        p.getSpec().hostNode(), p.getSpec().dpuNode()))
                .collect(Collectors.toSet());
    }

    private void removeUnusedSecrets(OffloadNode pair, Context<OffloadNode> context) {
        if (pair.getSpec() == null) {
            return;
        }
        agentSecrets.grant(pairedNodes(context.getPrimaryCache()
                .list()
                .filter(other ->
                        !other.getMetadata().getName().equals(pair.getMetadata().getName()))
                .toList()));
        for (String node : List.of(pair.getSpec().hostNode(), pair.getSpec().dpuNode())) {
            boolean used = context.getPrimaryCache().byIndex(BY_NODE, node).stream()
                    .anyMatch(other -> !other.getMetadata()
                            .getName()
                            .equals(pair.getMetadata().getName()));
            if (!used) {
                certificates.remove(node);
            }
        }
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> Map<String, T> byName(Set<T> resources) {
        Map<String, T> map = new HashMap<>();
        for (T resource : resources) {
            map.put(resource.getMetadata().getName(), resource);
        }
        return map;
    }
}
