package io.dpuoffload.operator.certs;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.operator.MovableClock;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reads from the informer's cache, except that what this operator just wrote wins until the cache has it. */
class ManagedSecretsTest {
    private final Map<String, Secret> cache = new HashMap<>();
    private final MovableClock clock = new MovableClock();
    private final ManagedSecrets secrets = new ManagedSecrets(cache::get, () -> {}, clock);

    private static Secret secret(String name, String version) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withResourceVersion(version)
                .endMetadata()
                .build();
    }

    @Test
    void aSecretJustWrittenIsReadAsWrittenUntilTheCacheHasIt() {
        cache.put("dpuo-node-host-1", secret("dpuo-node-host-1", "7"));
        secrets.wrote(secret("dpuo-node-host-1", "9"));

        assertThat(secrets.get("dpuo-node-host-1").getMetadata().getResourceVersion())
                .as("the cache still has the old one")
                .isEqualTo("9");

        cache.put("dpuo-node-host-1", secret("dpuo-node-host-1", "9"));
        assertThat(secrets.get("dpuo-node-host-1").getMetadata().getResourceVersion())
                .isEqualTo("9");
        cache.put("dpuo-node-host-1", secret("dpuo-node-host-1", "12"));
        assertThat(secrets.get("dpuo-node-host-1").getMetadata().getResourceVersion())
                .as("once caught up, the cache has the last word: a later change by anyone shows")
                .isEqualTo("12");
    }

    @Test
    void aSecretFirstWrittenIsThereBeforeTheCacheSeesIt() {
        secrets.wrote(secret("dpuo-node-dpu-1", "3"));

        assertThat(secrets.get("dpuo-node-dpu-1")).isNotNull();
    }

    @Test
    void aDeletedSecretIsGoneBeforeTheCacheSeesItGo() {
        cache.put("dpuo-node-dpu-1", secret("dpuo-node-dpu-1", "3"));
        secrets.deleted("dpuo-node-dpu-1");

        assertThat(secrets.get("dpuo-node-dpu-1")).isNull();
    }

    @Test
    void aWriteTheCacheNeverShowsGivesWayToTheCacheAfterAWhile() {
        secrets.wrote(secret("dpuo-node-dpu-1", "3")); // then deleted by someone, say: the cache never has it

        clock.advance(ManagedSecrets.TRUST_WRITES_FOR.plus(Duration.ofSeconds(1)));

        assertThat(secrets.get("dpuo-node-dpu-1")).isNull();
    }
}
