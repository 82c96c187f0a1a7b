package io.dpuoffload.operator.certs;

import io.dpuoffload.crd.NodeSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The operator's own Secrets (the CA's and one per node, labelled {@link NodeSecrets#MANAGED_LABEL}),
 * read from an informer's cache rather than the API server: every reconcile looks at two node
 * Secrets and the CA, and a fleet's reconciles made that a hundred thousand GETs per rollout.
 *
 * <p>The cache follows writes a watch event later. Until it has a Secret this operator wrote, the
 * written one is what a read returns, so a reconcile right after an issue does not find the old
 * Secret (or none) and issue again. After {@link #TRUST_WRITES_FOR} the cache is believed whatever
 * it says: a Secret deleted or changed by someone else meanwhile is then seen.
 */
public final class ManagedSecrets implements AutoCloseable {
    /** Far longer than a watch event takes; short enough that a deletion right after a write is seen soon. */
    static final Duration TRUST_WRITES_FOR = Duration.ofSeconds(30);

    /** The initial list of the operator's Secrets; an API server that cannot list them within this is not usable. */
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);

    private final Function<String, Secret> cache;
    private final AutoCloseable informer;
    private final Clock clock;
    private final Map<String, Written> written = new ConcurrentHashMap<>();

    /** A Secret this operator wrote, or deleted (null), and when. */
    private record Written(Secret secret, Instant at) {}

    ManagedSecrets(Function<String, Secret> cache, AutoCloseable informer, Clock clock) {
        this.cache = cache;
        this.informer = informer;
        this.clock = clock;
    }

    /** Starts an informer on the operator's Secrets in {@code namespace} and waits for its first list. */
    public static ManagedSecrets inform(KubernetesClient client, String namespace, Clock clock) {
        SharedIndexInformer<Secret> informer = client.secrets()
                .inNamespace(namespace)
                .withLabel(NodeSecrets.MANAGED_LABEL)
                .runnableInformer(0);
        try {
            informer.start().toCompletableFuture().get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            informer.close();
            throw new IllegalStateException(
                    "cannot list the operator's Secrets in " + namespace + " (RBAC: list and watch on secrets there): "
                            + (e.getCause() == null ? e : e.getCause()).getMessage(),
                    e);
        } catch (InterruptedException e) {
            informer.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing the operator's Secrets", e);
        }
        return new ManagedSecrets(name -> informer.getStore().getByKey(namespace + "/" + name), informer, clock);
    }

    /** The Secret {@code name}, as this operator last wrote it or the cache has it; null if there is none. */
    public Secret get(String name) {
        Secret cached = cache.apply(name);
        Written ours = written.get(name);
        if (ours == null) {
            return cached;
        }
        boolean caughtUp = ours.secret() == null
                ? cached == null
                : cached != null
                        && Objects.equals(
                                cached.getMetadata().getResourceVersion(),
                                ours.secret().getMetadata().getResourceVersion());
        if (caughtUp || clock.instant().isAfter(ours.at().plus(TRUST_WRITES_FOR))) {
            written.remove(name, ours);
            return cached;
        }
        return ours.secret();
    }

    /** This operator wrote {@code secret} (as the API server answered the write). */
    public void wrote(Secret secret) {
        written.put(secret.getMetadata().getName(), new Written(secret, clock.instant()));
    }

    /** This operator deleted {@code name}: it reads as absent from now on, whatever the cache still has. */
    public void deleted(String name) {
        written.put(name, new Written(null, clock.instant()));
    }

    @Override
    public void close() {
        try {
            informer.close();
        } catch (Exception e) {
            // the informer's watch ends with the client; nothing else holds on to it
        }
    }
}
