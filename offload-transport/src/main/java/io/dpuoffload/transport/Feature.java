package io.dpuoffload.transport;

import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A capability a side offers: one bit of the 64-bit mask exchanged in the handshake. A connection
 * has the features both sides offer; a service checks for its feature before it sends a request, so
 * a host without (say) the exec server gives a clear "not offered" instead of a stream of resets.
 *
 * <p>The transport defines only the features it serves and checks itself ({@link #DIAGNOSTICS},
 * {@link #NOTICES}); each
 * service defines its own with {@link #define} (offload-fs's {@code FsFeature}, offload-ipc's
 * {@code IpcFeature}, offload-exec's {@code ExecFeature}), and so names itself in the handshake's
 * log. Bits are the wire's: a service keeps its bit for good.
 */
public record Feature(String name, int bit) {
    /** The mask is a long. */
    private static final int BITS = Long.SIZE;

    private static final Map<Integer, Feature> DEFINED = new ConcurrentHashMap<>();

    /** Echo and load services used by {@code offloadctl channel demo|bench}. */
    public static final Feature DIAGNOSTICS = define("DIAGNOSTICS", 3);

    /**
     * The peer reads NOTICE frames (messages that want no answer). The transport offers it itself, on
     * every connection, whatever the configuration says; to a peer without it (an older build, which
     * would close the connection on an unknown frame type) a notice goes as a request whose answer is
     * dropped.
     */
    public static final Feature NOTICES = define("NOTICES", 4);

    public Feature {
        if (bit < 0 || bit >= BITS) {
            throw new IllegalArgumentException("feature " + name + ": bit " + bit + " is not in 0.." + (BITS - 1));
        }
    }

    /**
     * The feature at {@code bit}, named {@code name} in logs and messages; defined once per bit, by
     * the service that checks it.
     *
     * @throws IllegalStateException when another feature has the bit: two services would read each
     *     other's offer as their own
     */
    public static Feature define(String name, int bit) {
        Feature feature = new Feature(name, bit);
        Feature known = DEFINED.putIfAbsent(bit, feature);
        if (known != null && !known.equals(feature)) {
            throw new IllegalStateException(
                    "feature bit " + bit + " is " + known.name + "'s; " + name + " needs a bit of its own");
        }
        return feature;
    }

    /** What a side offers in the handshake: the configured features and the transport's own. */
    public static long offeredMask(Set<Feature> configured) {
        return toMask(configured) | 1L << NOTICES.bit;
    }

    public static long toMask(Set<Feature> features) {
        long mask = 0;
        for (Feature feature : features) {
            mask |= 1L << feature.bit;
        }
        return mask;
    }

    /**
     * The features of a mask that this process has defined (a service's feature is defined once its
     * class is loaded, as it is before anything checks for it); other bits, from newer peers or
     * services not in this process, are ignored.
     */
    public static Set<Feature> fromMask(long mask) {
        Set<Feature> features = new TreeSet<>(Comparator.comparingInt(Feature::bit));
        for (Feature feature : DEFINED.values()) {
            if ((mask & (1L << feature.bit)) != 0) {
                features.add(feature);
            }
        }
        return features;
    }

    @Override
    public String toString() {
        return name;
    }
}
