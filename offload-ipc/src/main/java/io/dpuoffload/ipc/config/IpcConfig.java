package io.dpuoffload.ipc.config;

import io.dpuoffload.linux.SocketName;
import java.nio.file.Path;
import java.time.Duration;
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
 * @param resumeWithin how long a carried connection outlives a lost channel, both sockets open,
 *     waiting for the channel to come back and resume it; zero: connections end with the channel
 */
public record IpcConfig(
        String node,
        String listen,
        Path pki,
        Set<String> peers,
        List<Forward> forwards,
        List<String> allow,
        int maxConnections,
        PeerPaths transparent,
        Duration resumeWithin) {

    public static final int DEFAULT_MAX_CONNECTIONS = 4096;

    /**
     * A minute: it covers the transport's own recovery several times over (a silent peer is
     * declared lost after 5 s, and the client reconnects with a backoff of at most 10 s), so a
     * flapping link or a forced reconnect costs nothing; and it is short enough that when the peer
     * is really gone, the programs on this side learn it (end of file) within a minute, as
     * containerd must to clean up after a shim that died with its host.
     */
    public static final Duration DEFAULT_RESUME_WITHIN = Duration.ofSeconds(60);

    public IpcConfig {
        if (resumeWithin == null) {
            resumeWithin = DEFAULT_RESUME_WITHIN;
        }
        if (resumeWithin.isNegative()) {
            throw new IllegalArgumentException("resumeWithin must not be negative: " + resumeWithin);
        }
    }

    /** With the default {@link #DEFAULT_RESUME_WITHIN}. */
    public IpcConfig(
            String node,
            String listen,
            Path pki,
            Set<String> peers,
            List<Forward> forwards,
            List<String> allow,
            int maxConnections,
            PeerPaths transparent) {
        this(node, listen, pki, peers, forwards, allow, maxConnections, transparent, DEFAULT_RESUME_WITHIN);
    }

    public IpcConfig withResumeWithin(Duration value) {
        return new IpcConfig(node, listen, pki, peers, forwards, allow, maxConnections, transparent, value);
    }

    /** Whether carried connections outlive a lost channel. */
    public boolean resumes() {
        return !resumeWithin.isZero();
    }

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
