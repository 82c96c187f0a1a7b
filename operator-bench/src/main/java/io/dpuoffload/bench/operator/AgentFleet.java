package io.dpuoffload.bench.operator;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.StatusFields;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.PairConditions;
import io.dpuoffload.crd.node.PinnedProfile;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The host and DPU agents of every pair, simulated: they watch the OffloadNodes and, once the
 * operator has pinned a pair's profiles, report their side Ready as the real agents do (every part
 * True, the pinned {@code name@revision}s, the generation they acted on), at once, and again every
 * {@link #HEARTBEAT}. A report is written as the agents write it: their own {@code status.host} or
 * {@code status.dpu}, field by field ({@link StatusFields}). A bounded pool of threads writes them,
 * where a cluster has two agent pods a pair.
 */
final class AgentFleet implements AutoCloseable {
    /** The real agents' heartbeat (node-agent's StatusWriter): the operator deems a report stale after three. */
    static final Duration HEARTBEAT = Duration.ofSeconds(30);
    /** How often every pair is looked at besides the watch's events: a heartbeat due, a write that failed. */
    private static final Duration SWEEP = Duration.ofSeconds(1);

    private static final List<String> SIDES = List.of("host", "dpu");

    /** What a side wrote last: it writes again when the pins or the generation differ, or the heartbeat is due. */
    private record Written(long generation, List<String> profiles, Instant at) {}

    private final KubernetesClient client;
    private final ExecutorService writers;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor();
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final Map<String, Written> written = new ConcurrentHashMap<>();
    private final LongAdder reports = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final PairTally tally = new PairTally();
    private SharedIndexInformer<OffloadNode> informer;

    AgentFleet(KubernetesClient client, int threads) {
        this.client = client;
        this.writers = Executors.newFixedThreadPool(threads);
    }

    void start() {
        informer = client.resources(OffloadNode.class).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(OffloadNode pair) {
                seen(pair);
            }

            @Override
            public void onUpdate(OffloadNode old, OffloadNode pair) {
                seen(pair);
            }

            @Override
            public void onDelete(OffloadNode pair, boolean unknownFinalState) {
                tally.forget(pair.getMetadata().getName());
            }
        });
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    PairTally tally() {
        return tally;
    }

    long reports() {
        return reports.sum();
    }

    long failures() {
        return failures.sum();
    }

    private void seen(OffloadNode pair) {
        tally.update(pair);
        for (String side : SIDES) {
            if (due(pair, side)) {
                queue(pair.getMetadata().getName(), side);
            }
        }
    }

    private void sweep() {
        for (OffloadNode pair : informer.getStore().list()) {
            seen(pair);
        }
    }

    private boolean due(OffloadNode pair, String side) {
        List<String> pins = pins(pair);
        if (pins.isEmpty() || pair.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        Written last = written.get(key(pair.getMetadata().getName(), side));
        return last == null
                || last.generation() != generation(pair)
                || !last.profiles().equals(pins)
                || !Instant.now().isBefore(last.at().plus(HEARTBEAT));
    }

    private void queue(String pair, String side) {
        String key = key(pair, side);
        if (queued.add(key)) {
            writers.execute(() -> {
                try {
                    report(pair, side);
                } finally {
                    queued.remove(key);
                }
            });
        }
    }

    /** One agent's report of its side, from the pair as the watch last showed it. */
    private void report(String name, String side) {
        OffloadNode pair = informer.getStore().getByKey(name);
        if (pair == null || !due(pair, side)) {
            return;
        }
        Instant now = Instant.now();
        List<String> pins = pins(pair);
        List<Condition> conditions = new ArrayList<>();
        for (String part : PairConditions.PARTS) {
            if (side.equals("host") && part.equals(PairConditions.DAEMONS_READY)) {
                continue; // the DPU's alone: the daemons run in its root
            }
            conditions.add(new ConditionBuilder()
                    .withType(part)
                    .withStatus("True")
                    .withReason("Ready")
                    .withMessage(side + " " + part)
                    .withLastTransitionTime(now.toString())
                    .build());
        }
        var report = new AgentReport(
                side + "-agent (simulated)",
                now.toString(),
                generation(pair),
                pins,
                conditions,
                null,
                null,
                null,
                null);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = Serialization.jsonMapper().convertValue(report, Map.class);
        try {
            StatusFields.setUnder(client, OffloadNode.class, name, side, fields);
            written.put(key(name, side), new Written(generation(pair), pins, now));
            reports.increment();
        } catch (KubernetesClientException e) {
            failures.increment(); // the next sweep writes it again
        }
    }

    private static List<String> pins(OffloadNode pair) {
        if (pair.getStatus() == null || pair.getStatus().profiles() == null) {
            return List.of();
        }
        return pair.getStatus().profiles().stream()
                .map(PinnedProfile::reference)
                .sorted()
                .toList();
    }

    private static long generation(OffloadNode pair) {
        return Objects.requireNonNullElse(pair.getMetadata().getGeneration(), 0L);
    }

    private static String key(String pair, String side) {
        return pair + "/" + side;
    }

    @Override
    public void close() throws InterruptedException {
        sweeper.shutdownNow();
        if (informer != null) {
            informer.close();
        }
        writers.shutdownNow();
        writers.awaitTermination(10, TimeUnit.SECONDS);
    }
}
