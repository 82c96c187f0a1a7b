package io.dpuoffload.fs.wire;

import io.dpuoffload.transport.Feature;

/** What a side offers when it serves or mounts offload-fs exports. */
public final class FsFeature {
    /** Bit 0 of the handshake's feature mask, for good: peers of other versions read it so. */
    public static final Feature FILESYSTEM = Feature.define("FILESYSTEM", 0);

    private FsFeature() {}
}
