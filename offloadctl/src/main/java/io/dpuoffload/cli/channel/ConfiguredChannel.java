package io.dpuoffload.cli.channel;

import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.TlsContexts;
import io.dpuoffload.transport.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The channel security that every service's YAML describes the same way (fs, ipc, exec): mutual
 * TLS from the node's PKI directory, left out only on a local Unix endpoint that has no PKI
 * directory (tests, one-machine trials), and, when peers are named, only those nodes accepted.
 */
public final class ConfiguredChannel {
    private ConfiguredChannel() {}

    /** Applies the security to {@code transport}; {@code serving} picks the server or client side of TLS. */
    public static TransportConfig.Builder secure(
            TransportConfig.Builder transport,
            Endpoint endpoint,
            String node,
            Path pki,
            Set<String> peers,
            boolean serving) {
        if (!(endpoint instanceof Endpoint.Unix) || Files.isDirectory(pki)) {
            var material = TlsFiles.inDirectory(pki, node).load();
            transport.tls(serving ? TlsContexts.forServer(material) : TlsContexts.forClient(material));
        }
        if (!peers.isEmpty()) {
            transport.peerPolicy(peer -> peer.isNode() && peers.contains(peer.name()));
        }
        return transport;
    }
}
