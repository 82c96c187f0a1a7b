package io.dpuoffload.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events about the operator's resources, in the operator's namespace (the resources
 * are cluster-scoped; {@code kubectl describe} finds their Events in any namespace). The same reason
 * and message on the same object counts up one Event instead of adding another, as kubelet's
 * recorder does (by a patch, never a read: the operator's role may create and patch Events only).
 * An Event that cannot be written is logged and dropped: it never fails a reconcile.
 */
public final class EventRecorder {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    public static final String COMPONENT = "dpuoffload-operator";
    /**
     * Events whose counts are remembered: a fleet's recent transitions, a few hundred bytes each.
     * One forgotten and seen again is counted from 2, as after a restart.
     */
    static final int REMEMBERED = 4096;

    private final KubernetesClient client;
    private final String namespace;
    private final String instance;
    private final Counts counts = new Counts();

    public EventRecorder(KubernetesClient client, String namespace, String instance) {
        this.client = client;
        this.namespace = namespace;
        this.instance = instance;
    }

    public void normal(HasMetadata about, String reason, String message) {
        record(about, "Normal", reason, message);
    }

    public void warning(HasMetadata about, String reason, String message) {
        record(about, "Warning", reason, message);
    }

    private void record(HasMetadata about, String type, String reason, String message) {
        log.info("{} {} {}: {} {}", type, about.getKind(), about.getMetadata().getName(), reason, message);
        String name =
                about.getMetadata().getName() + "." + digest(about.getMetadata().getUid() + reason + message);
        String now = Instant.now().toString();
        var events = client.v1().events().inNamespace(namespace);
        try {
            Integer seen = counts.seen(name);
            if (seen != null && countUp(events, name, seen + 1, now)) {
                return;
            }
            try {
                events.resource(new EventBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .withNamespace(namespace)
                                .endMetadata()
                                .withInvolvedObject(new ObjectReferenceBuilder()
                                        .withApiVersion(about.getApiVersion())
                                        .withKind(about.getKind())
                                        .withName(about.getMetadata().getName())
                                        .withUid(about.getMetadata().getUid())
                                        .build())
                                .withType(type)
                                .withReason(reason)
                                .withMessage(message)
                                .withCount(1)
                                .withFirstTimestamp(now)
                                .withLastTimestamp(now)
                                .withNewSource()
                                .withComponent(COMPONENT)
                                .endSource()
                                .withReportingComponent(COMPONENT)
                                .withReportingInstance(instance)
                                .build())
                        .create();
                counts.put(name, 1);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                // There from before this process (a restart, another replica): its count is unknown
                // here, and reading it needs a permission the operator does not have; say twice.
                countUp(events, name, 2, now);
            }
        } catch (KubernetesClientException e) {
            log.warn(
                    "could not record the Event {} for {}: {}",
                    reason,
                    about.getMetadata().getName(),
                    e.getMessage());
        }
    }

    /** Sets the Event's count and last time; false when it is gone (Events expire), so that it is created again. */
    private boolean countUp(
            NonNamespaceOperation<Event, EventList, Resource<Event>> events, String name, int count, String now) {
        try {
            events.withName(name)
                    .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            Serialization.asJson(Map.of("count", count, "lastTimestamp", now)));
            counts.put(name, count);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                counts.forget(name);
                return false;
            }
            throw e;
        }
    }

    /**
     * The counts of the Events this process recorded, the most recent {@link #REMEMBERED}: a
     * repeated Event is one patch, and a new one one create, with no read first (the operator's
     * role may create and patch Events, not read them).
     */
    private static final class Counts {
        private final Map<String, Integer> byName = new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                return size() > REMEMBERED;
            }
        };

        synchronized Integer seen(String name) {
            return byName.get(name);
        }

        synchronized void put(String name, int count) {
            byName.put(name, count);
        }

        synchronized void forget(String name) {
            byName.remove(name);
        }
    }

    private static String digest(String text) {
        try {
            byte[] hash =
                    java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
