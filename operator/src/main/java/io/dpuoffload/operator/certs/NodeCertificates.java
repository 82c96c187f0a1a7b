package io.dpuoffload.operator.certs;

import io.dpuoffload.crd.NodeSecrets;
import io.dpuoffload.pki.CaPem;
import io.dpuoffload.pki.NodeIdentity;
import io.dpuoffload.pki.NodePem;
import io.dpuoffload.pki.PemException;
import io.dpuoffload.pki.RenewalPolicy;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pairs' certificates: a CA the operator makes once and keeps in a Secret of its own, and for
 * each node a Secret with that node's certificate, key and the CA ({@link NodeSecrets}), issued
 * again when renewal is due (see {@link RenewalPolicy}) or when the Secret is not what the CA would
 * issue. Agents read their node's Secret and use new certificates for new connections, so renewal
 * drops nothing that runs.
 */
public final class NodeCertificates {
    /** The CA's Secret: ca.crt and ca.key. Only the operator reads it; the agents' Role never names it. */
    public static final String CA_SECRET = "dpuo-ca";

    private final KubernetesClient client;
    private final ManagedSecrets secrets;
    private final String namespace;
    private final RenewalPolicy renewal;
    /**
     * One lock a node, not one for all: every reconcile ensures two nodes, and one lock made a
     * fleet's reconciles wait in line behind each other's API calls. A node is ensured by one pair
     * at a time anyway (a second pair claiming it is refused before certificates).
     */
    private final Map<String, Object> nodeLocks = new ConcurrentHashMap<>();
    /** Held while the CA Secret is missing, so that two reconciles cannot both create a CA. */
    private final Object caCreation = new Object();
    /** The CA as last parsed, with the resourceVersion of the Secret it was parsed from. */
    private volatile Parsed<CaPem> parsedCa;
    /**
     * For each node, the Secret (and CA Secret) versions last found good and when renewal is due:
     * the same bytes under the same CA give the same verdict until then, so each reconcile need not
     * parse and verify them again (ECDSA verification was most of a fleet's reconcile CPU).
     */
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();

    private record Parsed<T>(String resourceVersion, T value) {}

    private record Checked(String secretVersion, String caVersion, Instant renewAt) {}

    /** @param secrets the operator's Secrets as its informer has them, read instead of the API server */
    public NodeCertificates(KubernetesClient client, ManagedSecrets secrets, String namespace, RenewalPolicy renewal) {
        this.client = client;
        this.secrets = secrets;
        this.namespace = namespace;
        this.renewal = renewal;
    }

    /** What {@link #ensure} did: issued (with why) or kept, and when to look again. */
    public record Outcome(Optional<String> issued, Instant renewAt) {}

    /** Makes {@code node}'s Secret current; answers why it was (re)issued, if it was. */
    public Outcome ensure(String node, Instant now) {
        synchronized (nodeLocks.computeIfAbsent(node, n -> new Object())) {
            Parsed<CaPem> ca = ca(now);
            Secret secret = secrets.get(NodeSecrets.name(node));
            Optional<String> why;
            if (secret == null) {
                why = Optional.of("no certificate yet");
            } else {
                String version = secret.getMetadata().getResourceVersion();
                Checked last = checked.get(node);
                if (last != null
                        && version != null
                        && version.equals(last.secretVersion())
                        && Objects.equals(ca.resourceVersion(), last.caVersion())
                        && now.isBefore(last.renewAt())) {
                    return new Outcome(Optional.empty(), last.renewAt());
                }
                try {
                    NodePem current = fromSecret(node, secret);
                    why = current.renewalReason(
                            ca.value().authority(), new NodeIdentity(node, Optional.empty()), now, renewal);
                    if (why.isEmpty()) {
                        Instant renewAt =
                                renewal.renewAt(current.material().node().certificate());
                        checked.put(node, new Checked(version, ca.resourceVersion(), renewAt));
                        return new Outcome(Optional.empty(), renewAt);
                    }
                } catch (PemException e) {
                    why = Optional.of(e.getMessage());
                }
            }
            checked.remove(node);
            NodePem issued = ca.value().issue(node, Optional.empty(), now);
            write(node, issued);
            return new Outcome(why, renewal.renewAt(issued.material().node().certificate()));
        }
    }

    /** Removes {@code node}'s Secret (its last pair is gone). */
    public void remove(String node) {
        client.secrets().inNamespace(namespace).withName(NodeSecrets.name(node)).delete();
        secrets.deleted(NodeSecrets.name(node));
        checked.remove(node);
    }

    private Parsed<CaPem> ca(Instant now) {
        Secret secret = secrets.get(CA_SECRET);
        if (secret == null) {
            synchronized (caCreation) {
                // the API server, not the cache: a CA made by another operator a moment ago must be kept
                secret = client.secrets()
                        .inNamespace(namespace)
                        .withName(CA_SECRET)
                        .get();
                if (secret == null) {
                    CaPem created = CaPem.create(CaPem.DEFAULT_COMMON_NAME, now);
                    secret = client.secrets()
                            .inNamespace(namespace)
                            .resource(new SecretBuilder()
                                    .withNewMetadata()
                                    .withName(CA_SECRET)
                                    .withNamespace(namespace)
                                    .addToLabels(NodeSecrets.MANAGED_LABEL, "operator")
                                    .endMetadata()
                                    .withData(encoded(created.secretData()))
                                    .build())
                            .create();
                }
                secrets.wrote(secret);
            }
        }
        String version = secret.getMetadata().getResourceVersion();
        Parsed<CaPem> last = parsedCa;
        if (last != null && version != null && version.equals(last.resourceVersion())) {
            return last;
        }
        Parsed<CaPem> parsed = new Parsed<>(version, CaPem.fromSecretData(decoded(secret)));
        parsedCa = parsed;
        return parsed;
    }

    private void write(String node, NodePem pem) {
        Map<String, String> data = Map.of(
                NodeSecrets.CA_CERT,
                pem.caBundle(),
                NodeSecrets.CERT,
                pem.certificate(),
                NodeSecrets.KEY,
                pem.privateKey());
        Secret secret = new SecretBuilder()
                .withNewMetadata()
                .withName(NodeSecrets.name(node))
                .withNamespace(namespace)
                .addToLabels(NodeSecrets.MANAGED_LABEL, "operator")
                .addToLabels("dpuoffload.io/node", node)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(encoded(data))
                .build();
        secrets.wrote(client.secrets().inNamespace(namespace).resource(secret).createOr(existing -> existing.update()));
    }

    private static NodePem fromSecret(String node, Secret secret) {
        Map<String, String> data = decoded(secret);
        return new NodePem(
                node,
                require(data, NodeSecrets.CA_CERT),
                require(data, NodeSecrets.CERT),
                require(data, NodeSecrets.KEY));
    }

    private static String require(Map<String, String> data, String key) {
        String value = data.get(key);
        if (value == null || value.isBlank()) {
            throw new PemException("the Secret has no " + key);
        }
        return value;
    }

    /** A Secret's values as text: {@code data} is base64, {@code stringData} (as a fake API server may keep it) is not. */
    static Map<String, String> decoded(Secret secret) {
        Map<String, String> values = new HashMap<>();
        if (secret.getData() != null) {
            secret.getData()
                    .forEach((k, v) ->
                            values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            values.putAll(secret.getStringData());
        }
        return values;
    }

    private static Map<String, String> encoded(Map<String, String> values) {
        Map<String, String> data = new HashMap<>();
        values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return data;
    }
}
