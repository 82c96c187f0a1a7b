package io.dpuoffload.ipc.config;

import io.dpuoffload.linux.SocketName;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One side's offload-ipc: the channel (the host listens, the DPU connects), the sockets this side
 * makes connectable (forwards to the peer), and which of its own sockets the peer may reach.
 *
 * @param listen the channel endpoint this side serves, or null on the side that connects
 * @param forwards sockets created here whose connections are carried to the peer
 * @param allow socket paths (prefixes, whole components) and abstract names (prefixes, written
 *     {@code @name}) the peer may connect to here; nothing else, and each refusal is audit-logged
 * @param maxConnections carried connections at once; beyond, new ones are refused
 * @param transparent local directories holding the peer's sockets: a program launched with
 *     interception that connects to a socket there is connected to the peer's (transparent connect)
 */
public record IpcConfig(
        String node,
        String listen,
        Path pki,
        Set<String> peers,
        List<Forward> forwards,
        List<String> allow,
        int maxConnections,
        PeerPaths transparent) {

    public static final int DEFAULT_MAX_CONNECTIONS = 4096;

    /**
     * Connections to {@code listen} here reach {@code to} on the peer. {@code mode} is the socket
     * file's permission bits: who here may connect. The peer's target sees every carried connection
     * as made by its ipc service (root), so this mode is the gate; owner-only by default.
     */
    public record Forward(SocketName listen, SocketName to, int socketType, int mode) {
        public static final int DEFAULT_MODE = 0600;

        public Forward(SocketName listen, SocketName to, int socketType) {
            this(listen, to, socketType, DEFAULT_MODE);
        }
    }
}
