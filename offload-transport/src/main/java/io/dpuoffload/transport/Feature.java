package io.dpuoffload.transport;

import java.util.EnumSet;
import java.util.Set;

/**
 * Capabilities a side offers, exchanged in the handshake as a 64-bit mask. A connection has the
 * features both sides offer; a service checks for its feature before it sends a request, so a host
 * without (say) the exec server gives a clear "not offered" instead of a stream of resets.
 */
public enum Feature {
    FILESYSTEM(0),
    IPC(1),
    EXEC(2),
    /** Echo and load services used by {@code offloadctl channel demo|bench}. */
    DIAGNOSTICS(3);

    private final int bit;

    Feature(int bit) {
        this.bit = bit;
    }

    public static long toMask(Set<Feature> features) {
        long mask = 0;
        for (Feature feature : features) {
            mask |= 1L << feature.bit;
        }
        return mask;
    }

    /** The features of a mask that this build knows; unknown bits (from newer peers) are ignored. */
    public static Set<Feature> fromMask(long mask) {
        Set<Feature> features = EnumSet.noneOf(Feature.class);
        for (Feature feature : values()) {
            if ((mask & (1L << feature.bit)) != 0) {
                features.add(feature);
            }
        }
        return features;
    }
}
