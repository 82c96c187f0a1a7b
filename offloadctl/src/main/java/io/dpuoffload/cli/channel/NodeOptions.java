package io.dpuoffload.cli.channel;

import io.dpuoffload.pki.TlsFiles;
import io.dpuoffload.pki.TlsMaterial;
import io.dpuoffload.transport.Feature;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.TlsContexts;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Who this side is and whom it accepts: {@code --node}, {@code --pki}, {@code --expect-peer}. Shared by every channel
 * command that opens the channel, so they all read the same files the same way.
 */
public final class NodeOptions {

    @Option(
            names = "--node",
            paramLabel = "NAME",
            required = true,
            description = "This side's node name, e.g. host-1 or dpu-1: its certificate and key are DIR/NAME.crt and"
                    + " DIR/NAME.key.")
    String node;

    @Option(
            names = "--pki",
            paramLabel = "DIR",
            description = "Directory with ca.crt, NAME.crt and NAME.key (from `offloadctl certs`). Default for tcp:"
                    + " and vsock: endpoints: " + ChannelCommand.DEFAULT_PKI_DIRECTORY + "; unix: endpoints run"
                    + " without TLS unless it is given.")
    Path pki;

    @Option(
            names = "--expect-peer",
            paramLabel = "NAME",
            description = "Talk only to the node whose certificate names NAME; any other node of the same CA is"
                    + " refused. Needs TLS.")
    String expectPeer;

    /** The configuration for this side on {@code endpoint}: TLS per the options, the DIAGNOSTICS feature offered. */
    public TransportConfig.Builder config(CommandSpec spec, Endpoint endpoint, boolean server) {
        OptionValues.nodeName(spec, "--node", node);
        Optional<TlsMaterial> tls = tlsMaterial(spec, endpoint);
        var builder = TransportConfig.builder(node).features(Set.of(Feature.DIAGNOSTICS));
        tls.ifPresent(
                material -> builder.tls(server ? TlsContexts.forServer(material) : TlsContexts.forClient(material)));
        if (expectPeer != null) {
            builder.expectPeer(OptionValues.nodeName(spec, "--expect-peer", expectPeer));
        }
        return builder;
    }

    /** Empty for a unix: endpoint without {@code --pki}; the files are checked here (a bad file is exit code 3). */
    private Optional<TlsMaterial> tlsMaterial(CommandSpec spec, Endpoint endpoint) {
        boolean local = endpoint instanceof Endpoint.Unix;
        if (local && pki == null) {
            if (expectPeer != null) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--expect-peer needs TLS, but " + endpoint
                                + " runs without it: over a Unix socket the peer is known by its uid, not a node name;"
                                + " give --pki DIR or drop --expect-peer");
            }
            return Optional.empty();
        }
        Path directory = pki != null ? pki : TlsFiles.DEFAULT_DIRECTORY;
        return Optional.of(TlsFiles.inDirectory(directory, node).load());
    }

    /** How this side's connections are secured, for summaries. */
    static String security(TransportConfig config) {
        return config.tls() != null
                ? "mutual TLS 1.3 (each side proved a certificate of the same CA)"
                : "a Unix socket without TLS (the kernel vouches for the peer's uid)";
    }
}
