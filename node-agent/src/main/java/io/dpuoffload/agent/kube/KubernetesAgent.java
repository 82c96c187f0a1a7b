package io.dpuoffload.agent.kube;

import io.dpuoffload.agent.plan.RootLeftovers;
import io.dpuoffload.crd.NodeSecrets;
import io.dpuoffload.crd.OffloadNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent in Kubernetes mode: watches the OffloadNodes (and this node's Secret), runs the side of
 * each pair this node is in (host or DPU, one pair per role), and reports it in that side's part of
 * the OffloadNode's status.
 *
 * <p>One thread decides everything, woken by the watches, by a DPU connecting to the host, and
 * every {@link #TICK}; the watches only wake it. What runs changes only when the pair's plan does
 * (the pinned profiles, the spec, the host's endpoint) or the pair is deleted. When the API server
 * cannot be reached, the watches keep their last state and reconnect by themselves, and reports fail
 * and are tried again: nothing that runs is stopped for it.
 */
public final class KubernetesAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KubernetesAgent.class);

    /**
     * How often the agent looks again without an event: what no watch announces (a daemon's
     * restart, the DPU's channel going down, a failed report to retry) reaches the status within it.
     */
    static final Duration TICK = Duration.ofSeconds(5);
    /** How often each side reports even when nothing changed (see {@link StatusWriter#HEARTBEAT}). */
    public static final Duration HEARTBEAT = StatusWriter.HEARTBEAT;
    /** After a side failed to start, the wait before trying the same plan again (the cause may pass). */
    static final Duration RETRY_START = Duration.ofSeconds(10);
    /**
     * Bounds the wait for the loop to end on close: it may be starting a side, which ends within
     * the daemons' readiness timeouts (a minute for libvirtd).
     */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(90);

    /** Why a side runs nothing: its node is already this role in another OffloadNode. */
    static final String IN_ANOTHER_PAIR = "NodeInAnotherPair";

    static final String START_FAILED = "StartFailed";
    static final String TORN_DOWN = "TornDown";

    private final KubernetesClient client;
    private final AgentSettings settings;
    private final Semaphore wake = new Semaphore(0);
    private final Map<AgentRole, Slot> slots = new EnumMap<>(AgentRole.class);
    private final StatusWriter status;
    /** The refused pairs already logged, so that each is logged once rather than at every look. */
    private final java.util.Set<String> refusedLogged = new java.util.HashSet<>();
    /** The deleted pairs whose host side waits for the DPU's teardown, logged once each. */
    private final java.util.Set<String> waitingForDpuLogged = new java.util.HashSet<>();

    private final SharedIndexInformer<OffloadNode> resources;
    private final SharedIndexInformer<Secret> secrets;
    private final Thread loop;
    private volatile boolean closing;
    private boolean ownsClient;

    /** One role of this node: what runs for it, and why nothing does when a start failed. */
    private static final class Slot {
        RunningSide running;
        /** The plan the running side carries out: its own, or a later one it runs as (see Plan.runsAs). */
        Plan plan;

        Plan failedPlan;
        String failure;
        Instant retryAt = Instant.MIN;
    }

    private KubernetesAgent(KubernetesClient client, AgentSettings settings) {
        this.client = client;
        this.settings = settings;
        this.status = new StatusWriter(client, settings.agent());
        for (AgentRole role : AgentRole.values()) {
            slots.put(role, new Slot());
        }
        resources = client.resources(OffloadNode.class).runnableInformer(0);
        secrets = client.secrets()
                .inNamespace(settings.namespace())
                .withName(NodeSecrets.name(settings.node()))
                .runnableInformer(0);
        loop = Thread.ofPlatform().name("kube-agent").unstarted(this::run);
    }

    /**
     * Connects with {@code kubeconfig} (null: in-cluster) and starts; a namespace left out of
     * {@code settings} is the configuration's (the pod's own).
     */
    public static KubernetesAgent connect(java.nio.file.Path kubeconfig, AgentSettings settings) {
        var config = ApiClients.config(kubeconfig);
        if (settings.namespace() == null) {
            if (config.getNamespace() == null) {
                throw new IllegalArgumentException(
                        "no namespace for the node's Secret: give --namespace or POD_NAMESPACE");
            }
            settings = settings.withNamespace(config.getNamespace());
        }
        KubernetesClient client = ApiClients.open(config);
        try {
            KubernetesAgent agent = start(client, settings);
            agent.ownsClient = true;
            return agent;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Starts watching and acting; returns at once (the watches connect in the background). */
    public static KubernetesAgent start(KubernetesClient client, AgentSettings settings) {
        Objects.requireNonNull(settings.namespace(), "namespace");
        KubernetesAgent agent = new KubernetesAgent(client, settings);
        agent.watch(agent.resources, "OffloadNodes");
        agent.watch(agent.secrets, "Secret " + NodeSecrets.name(settings.node()));
        agent.loop.start();
        log.info(
                "agent of node {} watching OffloadNodes and {}/{}",
                settings.node(),
                settings.namespace(),
                NodeSecrets.name(settings.node()));
        return agent;
    }

    private <T extends HasMetadata> void watch(SharedIndexInformer<T> informer, String what) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                wake();
            }

            @Override
            public void onUpdate(T before, T after) {
                wake();
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                wake();
            }
        });
        // Always retry: an API server away at start or later is waited for, never a reason to stop.
        informer.exceptionHandler((started, failure) -> {
            log.warn("watching {}: {} (retrying)", what, failure.getMessage());
            return true;
        });
        informer.start().whenComplete((done, failure) -> wake());
    }

    private void wake() {
        wake.release();
    }

    private void run() {
        while (!closing) {
            try {
                wake.tryAcquire(TICK.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (!closing && resources.hasSynced() && secrets.hasSynced()) {
                    reconcile();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("agent of node {}: {}", settings.node(), e.toString(), e);
            }
        }
    }

    private void reconcile() {
        List<OffloadNode> all = resources.getStore().list();
        Secret secret = secrets.getStore().list().stream()
                .filter(s ->
                        NodeSecrets.name(settings.node()).equals(s.getMetadata().getName()))
                .findFirst()
                .orElse(null);
        for (AgentRole role : AgentRole.values()) {
            reconcile(role, all, secret);
        }
        // Reports of OffloadNodes that are gone: nothing to compare with any more.
        var names = all.stream().map(KubernetesAgent::name).collect(java.util.stream.Collectors.toSet());
        status.keepOnly(names);
    }

    /**
     * One role: a pair being deleted is taken down (if it is the one running; the host after its
     * DPU, see {@link TeardownOrder}) and reported torn down; of the others, the one running stays, else the oldest is taken up; the rest are refused,
     * with the reason in their report.
     */
    private void reconcile(AgentRole role, List<OffloadNode> all, Secret secret) {
        Slot slot = slots.get(role);
        List<OffloadNode> mine = all.stream()
                .filter(resource -> role.isOf(resource, settings.node()))
                .sorted(Comparator.comparing((OffloadNode r) ->
                                Objects.toString(r.getMetadata().getCreationTimestamp(), ""))
                        .thenComparing(KubernetesAgent::name))
                .toList();
        String runningFor = slot.running == null ? null : slot.running.plan().resource();
        List<OffloadNode> live =
                mine.stream().filter(r -> !r.isMarkedForDeletion()).toList();
        if (runningFor != null && live.stream().noneMatch(r -> name(r).equals(runningFor))) {
            OffloadNode deleting = mine.stream()
                    .filter(r -> name(r).equals(runningFor))
                    .findFirst()
                    .orElse(null);
            if (role == AgentRole.HOST && deleting != null && TeardownOrder.hostServesOn(deleting, now())) {
                if (waitingForDpuLogged.add(runningFor)) {
                    log.info(
                            "OffloadNode {} is deleted: the host side serves on until the DPU has taken its side"
                                    + " down (at most {})",
                            runningFor,
                            TeardownOrder.HOST_WAIT);
                }
                publishRunning(deleting, role, slot);
                return;
            }
            log.info("OffloadNode {} is deleted: taking the {} side down", runningFor, role.statusField());
            waitingForDpuLogged.remove(runningFor);
            stop(slot);
        }
        if (role == AgentRole.DPU
                && slot.running == null
                && live.isEmpty()
                && mine.stream().anyMatch(OffloadNode::isMarkedForDeletion)) {
            clearLeftovers();
        }
        mine.stream().filter(OffloadNode::isMarkedForDeletion).forEach(deleted -> publishTornDown(deleted, role));
        if (live.isEmpty()) {
            return;
        }
        OffloadNode chosen = live.stream()
                .filter(r -> name(r).equals(runningFor))
                .findFirst()
                .orElse(live.getFirst());
        for (OffloadNode other : live) {
            if (other != chosen && refusedLogged.add(name(other) + "/" + role.statusField())) {
                log.warn(
                        "OffloadNode {} names node {} as its {} too: refused, it runs {}",
                        name(other),
                        settings.node(),
                        role.statusField(),
                        name(chosen));
            }
            if (other != chosen) {
                String why = "node " + settings.node() + " is already the " + role.statusField() + " of OffloadNode "
                        + name(chosen) + "; one pair per role and node";
                publishIdle(other, role, IN_ANOTHER_PAIR, why);
            }
        }
        act(role, slot, chosen, secret);
    }

    /**
     * A pair deleted while no agent ran its DPU side (this one started after the deletion, or its
     * predecessor was killed): the root that agent left is cleared before the teardown is reported,
     * so "torn down" means no mount is left.
     */
    private void clearLeftovers() {
        if (!RootLeftovers.exist(settings.root(), settings.dpuState())) {
            return;
        }
        log.info(
                "an earlier agent left the offload root at {}: clearing it before reporting the teardown",
                settings.root());
        int unmounted = RootLeftovers.clear(settings.root(), settings.dpuState());
        log.info("cleared the offload root an earlier agent left at {} ({} mounts)", settings.root(), unmounted);
    }

    private void act(AgentRole role, Slot slot, OffloadNode resource, Secret secret) {
        Derivation derivation = PairDerivation.derive(resource, role, settings, secret);
        if (derivation instanceof Derivation.Run run) {
            runPlan(role, slot, resource, run);
        } else if (slot.running != null) {
            // What runs keeps running: a Secret or a pinned profile list that is gone for a while is
            // no instruction to stop (a deletion or a new plan is).
            log.debug("{} side of {} keeps running: {}", role.statusField(), name(resource), derivation);
            publishRunning(resource, role, slot);
        } else {
            String[] why =
                    switch (derivation) {
                        case Derivation.Waiting w -> new String[] {w.reason(), w.message()};
                        case Derivation.Invalid i -> new String[] {i.reason(), i.message()};
                        case Derivation.Run r -> throw new IllegalStateException("handled above");
                    };
            publishIdle(resource, role, why[0], why[1]);
        }
    }

    private void runPlan(AgentRole role, Slot slot, OffloadNode resource, Derivation.Run run) {
        Plan plan = run.plan();
        try {
            if (CredentialFiles.write(settings.pki(), settings.node(), run.credentials())) {
                log.info(
                        "certificates of node {} written to {}; new connections use them",
                        settings.node(),
                        settings.pki());
            }
        } catch (java.io.IOException e) {
            String why = "cannot write the certificates to " + settings.pki() + ": " + e.getMessage();
            log.warn(why);
            if (slot.running == null) {
                publishIdle(resource, role, START_FAILED, why);
                return;
            }
        }
        if (slot.running != null && slot.running.plan().runsAs(plan)) {
            slot.plan = plan;
        }
        if (slot.running != null && !slot.running.plan().runsAs(plan)) {
            log.info(
                    "OffloadNode {} changed (profiles {}): restarting the {} side",
                    plan.resource(),
                    plan.profiles(),
                    role.statusField());
            stop(slot);
        }
        if (slot.running == null) {
            if (slot.failure != null && plan.runsAs(slot.failedPlan) && now().isBefore(slot.retryAt)) {
                publishIdle(resource, role, START_FAILED, slot.failure);
                return;
            }
            try {
                slot.running = start(plan);
                slot.plan = plan;
                slot.failure = null;
                log.info("{} side of OffloadNode {} runs {}", role.statusField(), plan.resource(), plan.profiles());
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                slot.failure = String.valueOf(e.getMessage());
                slot.failedPlan = plan;
                slot.retryAt = now().plus(RETRY_START);
                log.warn(
                        "{} side of OffloadNode {} failed to start: {}",
                        role.statusField(),
                        plan.resource(),
                        e.toString());
                publishIdle(resource, role, START_FAILED, slot.failure);
                return;
            }
        }
        publishRunning(resource, role, slot);
    }

    private RunningSide start(Plan plan) throws Exception {
        var files = CredentialFiles.of(settings.pki(), settings.node());
        return plan.role() == AgentRole.HOST
                ? HostSide.start(plan, files, settings.nodeRoot(), this::wake)
                : DpuSide.start(plan, files, settings.nodeRoot());
    }

    private void stop(Slot slot) {
        RunningSide running = slot.running;
        slot.running = null;
        slot.plan = null;
        try {
            running.close();
        } catch (RuntimeException e) {
            log.warn(
                    "taking the {} side of {} down: {}",
                    running.plan().role().statusField(),
                    running.plan().resource(),
                    e.toString());
        }
    }

    private void publishRunning(OffloadNode resource, AgentRole role, Slot slot) {
        RunningSide.Snapshot snapshot = slot.running.snapshot(generation(resource));
        status.write(
                resource,
                role,
                new StatusWriter.Draft(
                        slot.plan.profiles(),
                        snapshot.conditions(),
                        snapshot.channel(),
                        snapshot.mounts(),
                        snapshot.daemons(),
                        false));
    }

    private void publishTornDown(OffloadNode resource, AgentRole role) {
        var conditions = Reports.allFalse(
                role,
                TORN_DOWN,
                "the OffloadNode is being deleted; this side is taken down",
                generation(resource),
                now());
        status.write(resource, role, new StatusWriter.Draft(List.of(), conditions, null, null, null, true));
    }

    /** A side that runs nothing, every condition False for {@code reason}. */
    private void publishIdle(OffloadNode resource, AgentRole role, String reason, String message) {
        status.write(
                resource,
                role,
                StatusWriter.Draft.idle(Reports.allFalse(role, reason, message, generation(resource), now())));
    }

    private static long generation(OffloadNode resource) {
        return StatusWriter.generation(resource);
    }

    private static String name(OffloadNode resource) {
        return resource.getMetadata().getName();
    }

    private static Instant now() {
        return Instant.now();
    }

    /** Stops watching and takes every running side down, as SIGTERM does to the standalone agent. */
    @Override
    public void close() {
        closing = true;
        wake();
        try {
            loop.join(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resources.stop();
        secrets.stop();
        for (Slot slot : slots.values()) {
            if (slot.running != null) {
                stop(slot);
            }
        }
        if (ownsClient) {
            client.close();
        }
    }
}
