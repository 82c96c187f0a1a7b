package io.dpuoffload.agent.kube;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.AgentReport;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The order in which a deleted pair comes down: the DPU first, then the host. The DPU's daemons stop
 * while their shares, sockets and programs are still served; a host that left at the same moment
 * took the files from under a stopping libvirtd, which hung on its offload-fs mounts until it was
 * killed (and stayed in the kernel a while after SIGKILL). So the host serves on until its DPU
 * reports {@code tornDown}, at most {@link #HOST_WAIT} after the deletion began.
 */
final class TeardownOrder {
    /**
     * The DPU's teardown (each daemon stopped within its 10 s grace and 5 s after SIGKILL, then the
     * mounts) fits with room; and it is under the operator's 90 s, so a host whose DPU agent is gone
     * still reports its own teardown before the operator gives up on the pair.
     */
    static final Duration HOST_WAIT = Duration.ofSeconds(60);

    private TeardownOrder() {}

    /**
     * Whether the host side of {@code deleting} (marked for deletion) keeps serving at {@code now}:
     * while its DPU agent has a report that is not {@code tornDown} yet and the wait is not over. A
     * DPU that never reported has nothing to take down.
     */
    static boolean hostServesOn(OffloadNode deleting, Instant now) {
        AgentReport dpu = AgentRole.DPU.reportIn(deleting);
        if (dpu == null || Boolean.TRUE.equals(dpu.tornDown())) {
            return false;
        }
        return now.isBefore(deletionBegan(deleting, now).plus(HOST_WAIT));
    }

    /** The resource's deletionTimestamp; {@code now} if it has none or none that parses. */
    private static Instant deletionBegan(OffloadNode deleting, Instant now) {
        String stamp = deleting.getMetadata().getDeletionTimestamp();
        if (stamp == null) {
            return now;
        }
        try {
            return Instant.parse(stamp);
        } catch (DateTimeParseException e) {
            return now;
        }
    }
}
