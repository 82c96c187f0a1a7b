package io.dpuoffload.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class FeatureTest {
    private static final Feature SERVICE = Feature.define("SERVICE_UNDER_TEST", 40);

    @Test
    void aMaskNamesTheDefinedFeaturesAndIgnoresOtherBits() {
        long mask = Feature.toMask(Set.of(Feature.DIAGNOSTICS, SERVICE)) | 1L << 41;
        assertThat(Feature.fromMask(mask)).containsExactly(Feature.DIAGNOSTICS, SERVICE);
        assertThat(Feature.fromMask(mask)).hasToString("[DIAGNOSTICS, SERVICE_UNDER_TEST]");
    }

    @Test
    void aBitIsOneServicesAlone() {
        assertThat(Feature.define("SERVICE_UNDER_TEST", 40)).isEqualTo(SERVICE);
        assertThatThrownBy(() -> Feature.define("ANOTHER_SERVICE", 40))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bit 40 is SERVICE_UNDER_TEST's");
        assertThatThrownBy(() -> Feature.define("TOO_HIGH", 64)).isInstanceOf(IllegalArgumentException.class);
    }
}
