package io.dpuoffload.transport;

import java.util.OptionalInt;

/**
 * A range of wire protocol versions one side speaks. The handshake picks the highest version both
 * ranges hold; when they do not overlap, both sides get a {@link HandshakeException} that names the
 * two ranges, so the operator knows which side to upgrade.
 */
public record ProtocolVersions(int min, int max) {

    /** The versions this build speaks. */
    public static final ProtocolVersions SUPPORTED = new ProtocolVersions(1, 1);

    public ProtocolVersions {
        if (min < 1 || max > 255 || min > max) {
            throw new IllegalArgumentException("bad protocol version range " + min + ".." + max);
        }
    }

    public OptionalInt negotiate(ProtocolVersions peer) {
        int best = Math.min(max, peer.max);
        return best >= Math.max(min, peer.min) ? OptionalInt.of(best) : OptionalInt.empty();
    }

    @Override
    public String toString() {
        return min == max ? Integer.toString(min) : min + ".." + max;
    }
}
