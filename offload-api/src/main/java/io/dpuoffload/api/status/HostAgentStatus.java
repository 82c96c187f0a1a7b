package io.dpuoffload.api.status;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The host agent's status: what {@code offloadctl agent status --role host} prints. The host agent
 * has no root or daemons of its own; it serves one DPU, so what an operator asks of it is whether
 * it listens, whether its DPU is connected, and what it holds for that DPU.
 *
 * @param pair the pair's name
 * @param node the host's node name
 * @param listen where it listens for its DPU
 * @param updated when the agent wrote it
 * @param dpu the DPU node it serves
 * @param connectedSince when the DPU's current connection came; null while none is up
 * @param shares the directories it serves, and whether each is there
 * @param programs the host programs the DPU may run here, exactly these
 * @param fsSessions offload-fs sessions open: one per share the DPU has mounted, kept a while
 *     after a lost channel for the DPU to resume
 * @param runs programs running now for the DPU (a VM's QEMU, a container's shim)
 * @param carriedConnections Unix socket connections carried between the two sides now
 */
public record HostAgentStatus(
        String pair,
        String node,
        String listen,
        Instant updated,
        String dpu,
        Instant connectedSince,
        List<Share> shares,
        List<Path> programs,
        int fsSessions,
        int runs,
        int carriedConnections) {

    /** A directory served to the DPU; {@code present} false means the DPU's mount of it fails. */
    public record Share(String name, Path hostPath, boolean present) {}

    public HostAgentStatus {
        shares = shares == null ? List.of() : List.copyOf(shares);
        programs = programs == null ? List.of() : List.copyOf(programs);
    }

    /** Serving its DPU: connected, and every share there. */
    public boolean ready() {
        return connectedSince != null && shares.stream().allMatch(Share::present);
    }

    /** For people, one line a thing. */
    public List<String> lines() {
        List<String> lines = new java.util.ArrayList<>();
        lines.add("pair " + pair + ": host " + node + ", listening on " + listen);
        lines.add(
                connectedSince == null
                        ? "dpu " + dpu + " not connected"
                        : "dpu " + dpu + " connected since " + connectedSince);
        shares.forEach(share -> lines.add(String.format(
                "  share   %-12s %s%s", share.name(), share.hostPath(), share.present() ? "" : "  (MISSING)")));
        programs.forEach(program -> lines.add("  program " + program));
        lines.add("  " + fsSessions + " offload-fs sessions, " + runs + " programs running, " + carriedConnections
                + " carried connections");
        return lines;
    }
}
