package io.dpuoffload.crd.node;

import java.util.List;

/**
 * The condition types of an OffloadNode. The operator sets each from both agents' own conditions of
 * the same type (true only when both say so, or the DPU alone for DaemonsReady), and {@link #READY}
 * from all of them.
 */
public final class PairConditions {
    /** The DPU agent is connected to the host agent over mutual TLS. */
    public static final String CHANNEL_READY = "ChannelReady";
    /** The shares are served on the host and mounted in the DPU's root. */
    public static final String FILESYSTEM_READY = "FilesystemReady";
    /** The host's sockets are connectable from the root. */
    public static final String IPC_READY = "IpcReady";
    /** The profile's host programs run on the host from the root. */
    public static final String EXEC_READY = "ExecReady";
    /** Every daemon in the root runs and passes its health check. */
    public static final String DAEMONS_READY = "DaemonsReady";
    /** All of the above, at the current profile revisions. */
    public static final String READY = "Ready";

    /** The conditions Ready is made of, in the order they come up. */
    public static final List<String> PARTS =
            List.of(CHANNEL_READY, FILESYSTEM_READY, IPC_READY, EXEC_READY, DAEMONS_READY);

    private PairConditions() {}
}
