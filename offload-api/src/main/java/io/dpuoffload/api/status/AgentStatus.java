package io.dpuoffload.api.status;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The DPU agent's status: what {@code offloadctl status} prints, and what the operator will copy
 * into its resources' status.
 *
 * @param pair the pair's name
 * @param root the offload root
 * @param updated when the agent wrote it
 * @param conditions {@link Condition#READY} and the aspects it sums up
 * @param mounts the steps of the offload root, in order
 * @param daemons the profiles' daemons, in start order
 * @param channel the channel to the host; null before the agent connects
 */
public record AgentStatus(
        String pair,
        Path root,
        Instant updated,
        List<Condition> conditions,
        List<MountStatus> mounts,
        List<DaemonStatus> daemons,
        ChannelStatus channel) {

    public AgentStatus {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        daemons = daemons == null ? List.of() : List.copyOf(daemons);
    }

    /** Whether the {@link Condition#READY} condition holds. */
    public boolean ready() {
        return conditions.stream().anyMatch(c -> c.type().equals(Condition.READY) && c.holds());
    }
}
