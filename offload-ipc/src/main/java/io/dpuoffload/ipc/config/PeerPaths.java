package io.dpuoffload.ipc.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Which local directories hold the peer's sockets: a socket file under {@code local} (typically
 * seen through offload-fs) is the peer's socket at the same place under {@code peer}. Judged on
 * whole path components, lexically; the peer's allowlist has the last word on its real path.
 */
public record PeerPaths(List<Mapping> mappings) {

    /** Sockets under {@code local} here are the peer's sockets under {@code peer}. */
    public record Mapping(Path local, Path peer) {
        public Mapping {
            if (!local.isAbsolute() || !peer.isAbsolute()) {
                throw new IllegalArgumentException(
                        "both sides of a peer path must be absolute: " + local + " → " + peer);
            }
            local = local.normalize();
            peer = peer.normalize();
        }
    }

    public PeerPaths {
        mappings = List.copyOf(mappings);
    }

    public boolean isEmpty() {
        return mappings.isEmpty();
    }

    /** The local path for the peer's absolute {@code path}, if it lies under a mapping (the other way). */
    public Optional<String> localPathOf(Path path) {
        Path normal = path.normalize();
        for (Mapping mapping : mappings) {
            if (normal.startsWith(mapping.peer())) {
                return Optional.of(mapping.local()
                        .resolve(mapping.peer().relativize(normal))
                        .toString());
            }
        }
        return Optional.empty();
    }

    /** The peer's path for the local absolute {@code path}, if it lies under a mapping. */
    public Optional<String> peerPathOf(Path path) {
        Path normal = path.normalize();
        for (Mapping mapping : mappings) {
            if (normal.startsWith(mapping.local())) {
                return Optional.of(mapping.peer()
                        .resolve(mapping.local().relativize(normal))
                        .toString());
            }
        }
        return Optional.empty();
    }
}
