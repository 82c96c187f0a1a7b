package io.dpuoffload.ipc.wire;

import io.dpuoffload.transport.Feature;

/** What a side offers when it carries Unix-socket connections (offload-ipc). */
public final class IpcFeature {
    /** Bit 1 of the handshake's feature mask, for good: peers of other versions read it so. */
    public static final Feature IPC = Feature.define("IPC", 1);

    private IpcFeature() {}
}
