package io.dpuoffload.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
 * recorder does. An Event that cannot be written is logged and dropped: it never fails a reconcile.
 */
public final class EventRecorder {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    public static final String COMPONENT = "dpuoffload-operator";

    private final KubernetesClient client;
    private final String namespace;
    private final String instance;

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
        try {
            var events = client.v1().events().inNamespace(namespace);
            var existing = events.withName(name).get();
            if (existing != null) {
                int count = existing.getCount() == null ? 1 : existing.getCount();
                events.withName(name)
                        .patch(
                                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                                io.fabric8.kubernetes.client.utils.Serialization.asJson(
                                        Map.of("count", count + 1, "lastTimestamp", now)));
                return;
            }
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
        } catch (KubernetesClientException e) {
            log.warn(
                    "could not record the Event {} for {}: {}",
                    reason,
                    about.getMetadata().getName(),
                    e.getMessage());
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
