package io.dpuoffload.exec.host;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Durable runs whose client's connection was lost, by token, until a client of the same peer takes
 * one over ({@link #take}) or its grace period ends. A VM's QEMU is such a run: its DPU agent may
 * restart (an upgrade, a crash) and the VM must not notice.
 */
final class DetachedRuns {
    private final Duration grace;
    private final Map<String, Parked> parked = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    private record Parked(RemoteProcess process, String peer) {}

    DetachedRuns(Duration grace) {
        this.grace = grace;
    }

    Duration grace() {
        return grace;
    }

    byte[] newToken() {
        byte[] token = new byte[io.dpuoffload.exec.wire.ExecWire.TOKEN_BYTES];
        random.nextBytes(token);
        return token;
    }

    void park(byte[] token, RemoteProcess process, String peer) {
        parked.put(HexFormat.of().formatHex(token), new Parked(process, peer));
    }

    void forget(byte[] token, RemoteProcess process) {
        parked.computeIfPresent(HexFormat.of().formatHex(token), (key, p) -> p.process() == process ? null : p);
    }

    /** The run parked under {@code token} for {@code peer}, now no longer parked; null when there is none. */
    RemoteProcess take(byte[] token, String peer) {
        String key = HexFormat.of().formatHex(token);
        Parked found = parked.get(key);
        if (found == null || !found.peer().equals(peer) || !parked.remove(key, found)) {
            return null; // another peer's token is as good as none: it learns nothing
        }
        return found.process();
    }

    int size() {
        return parked.size();
    }
}
