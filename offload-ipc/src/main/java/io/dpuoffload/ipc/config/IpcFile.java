package io.dpuoffload.ipc.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dpuoffload.api.validation.Problem;
import io.dpuoffload.api.validation.Problems;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * {@code offloadctl ipc serve}'s (and the DPU side's) YAML as Jackson binds it, its validation, and
 * the {@link IpcConfig} it means.
 */
public record IpcFile(
        String node,
        String listen,
        Path pki,
        List<String> peers,
        List<Forward> forwards,
        List<String> allow,
        Integer maxConnections,
        List<Transparent> transparent,
        Duration resumeWithin) {
    /** More carried connections than this is a typo, not a plan. */
    static final int MOST_CONNECTIONS = 1_000_000;

    /**
     * Longer than this, programs would wait with a dead connection for a peer that is gone: a day
     * is a typo, not a plan.
     */
    static final Duration LONGEST_RESUME_WITHIN = Duration.ofHours(1);

    public IpcFile {
        pki = pki == null ? Path.of("/etc/dpu-offload/pki") : pki;
        peers = peers == null ? List.of() : peers;
        forwards = forwards == null ? List.of() : forwards;
        allow = allow == null ? List.of() : allow;
        maxConnections = maxConnections == null ? IpcConfig.DEFAULT_MAX_CONNECTIONS : maxConnections;
        transparent = transparent == null ? List.of() : transparent;
        resumeWithin = resumeWithin == null ? IpcConfig.DEFAULT_RESUME_WITHIN : resumeWithin;
    }

    /** A socket kind a forward carries. */
    public enum SocketType {
        @JsonProperty("stream")
        STREAM,
        @JsonProperty("seqpacket")
        SEQPACKET,
        /** Named so that the refusal can say why: datagrams are not carried yet. */
        @JsonProperty("dgram")
        DGRAM
    }

    /**
     * Connections to {@code listen} here reach {@code to} on the peer.
     *
     * @param mode who here may connect, in octal text ({@code "0660"}); default owner only
     */
    public record Forward(String listen, String to, SocketType type, String mode) {
        public Forward {
            type = type == null ? SocketType.STREAM : type;
            mode = mode == null ? "0600" : mode;
        }

        /** The mode's bits, or -1 when it is no octal permission mode. */
        int modeBits() {
            try {
                int bits = Integer.parseInt(mode, 8);
                return bits <= 0777 ? bits : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** Sockets under {@code local} here are the peer's under {@code peer}. */
    public record Transparent(String local, String peer) {}

    public List<Problem> problems() {
        Problems problems = new Problems();
        problems.required("node", node, "host-1");
        problems.absolute("pki", pki);
        if (maxConnections < 1 || maxConnections > MOST_CONNECTIONS) {
            problems.add("maxConnections", maxConnections + " is not a whole number from 1 to " + MOST_CONNECTIONS);
        }
        if (resumeWithin.isNegative() || resumeWithin.compareTo(LONGEST_RESUME_WITHIN) > 0) {
            problems.add(
                    "resumeWithin",
                    resumeWithin + " is not from 0s (connections end with the channel) to 1h; the default is 60s");
        }
        for (int i = 0; i < forwards.size(); i++) {
            String at = "forwards[" + i + "]";
            Forward forward = forwards.get(i);
            if (forward == null) {
                continue;
            }
            socketName(problems, at + ".listen", forward.listen(), "/run/dpuo/libvirt-sock");
            socketName(problems, at + ".to", forward.to(), "/var/run/libvirt/libvirt-sock");
            if (forward.type() == SocketType.DGRAM) {
                problems.add(at + ".type", "datagram sockets are not carried yet; use stream or seqpacket");
            }
            if (forward.modeBits() < 0) {
                problems.add(
                        at + ".mode",
                        "'" + forward.mode()
                                + "' is not a permission mode; write it in octal, e.g. \"0660\" (owner and group may connect)");
            }
        }
        for (int i = 0; i < allow.size(); i++) {
            socketPath(problems, "allow[" + i + "]", allow.get(i));
        }
        for (int i = 0; i < transparent.size(); i++) {
            String at = "transparent[" + i + "]";
            Transparent mapping = transparent.get(i);
            if (mapping == null) {
                continue;
            }
            if (problems.required(at + ".local", mapping.local(), "/var/lib/dpuo/root/run/libvirt/qemu")) {
                problems.absolute(at + ".local", mapping.local());
            }
            if (problems.required(at + ".peer", mapping.peer(), "/run/libvirt/qemu")) {
                problems.absolute(at + ".peer", mapping.peer());
            }
        }
        return problems.list();
    }

    /** A socket path, or an abstract name written {@code @name}. */
    private static void socketPath(Problems problems, String at, String text) {
        if (text != null && !text.startsWith("@")) {
            problems.absolute(at, text);
        }
    }

    private static void socketName(Problems problems, String at, String text, String example) {
        if (!problems.required(at, text, example)) {
            return;
        }
        socketPath(problems, at, text);
        try {
            SocketName.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(at, e.getMessage());
        }
    }

    IpcConfig toConfig() {
        return new IpcConfig(
                node,
                listen,
                pki.normalize(),
                new LinkedHashSet<>(peers),
                forwards.stream()
                        .map(f -> new IpcConfig.Forward(
                                SocketName.parse(f.listen()),
                                SocketName.parse(f.to()),
                                f.type() == SocketType.SEQPACKET ? UnixSockets.SOCK_SEQPACKET : UnixSockets.SOCK_STREAM,
                                f.modeBits()))
                        .toList(),
                List.copyOf(allow),
                maxConnections,
                new PeerPaths(transparent.stream()
                        .map(t -> new PeerPaths.Mapping(Path.of(t.local()), Path.of(t.peer())))
                        .toList()),
                resumeWithin);
    }
}
