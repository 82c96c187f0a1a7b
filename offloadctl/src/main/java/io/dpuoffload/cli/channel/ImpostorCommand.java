package io.dpuoffload.cli.channel;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.transport.Feature;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.NodeCredentials;
import io.dpuoffload.transport.tls.PemFiles;
import io.dpuoffload.transport.tls.TlsContexts;
import io.dpuoffload.transport.tls.TlsMaterial;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl channel impostor} (hidden, for {@code channel demo}): a client that trusts the installation's CA,
 * as anyone who copied the public ca.crt can, but holds a certificate its own CA issued. The host must refuse it.
 * {@code channel probe} cannot play this part: it checks its files first and would stop before connecting.
 */
@Command(
        name = "impostor",
        hidden = true,
        description = "For the demo: connect with a certificate that the host's CA did not issue; exit code 4 when refused.")
final class ImpostorCommand implements Callable<Integer> {

    @Option(names = "--server", paramLabel = "ENDPOINT", required = true, description = "The host's channel.")
    String server;

    @Option(names = "--trust", paramLabel = "FILE", required = true, description = "The CA certificate to trust (the host's).")
    Path trust;

    @Option(names = "--certificate", paramLabel = "FILE", required = true, description = "The certificate to present.")
    Path certificate;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "The certificate's private key.")
    Path key;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Endpoint endpoint = OptionValues.endpoint(spec, "--server", server);
        String fix = "give the files `offloadctl channel demo` wrote";
        var credentials = new NodeCredentials(PemFiles.readCertificate(certificate, fix), PemFiles.readPrivateKey(key, fix));
        var material = new TlsMaterial(PemFiles.readCertificate(trust, fix), credentials);
        TransportConfig config = TransportConfig.builder(credentials.identity().name())
                .tls(TlsContexts.forClient(material))
                .features(EnumSet.of(Feature.DIAGNOSTICS))
                .build();
        try (OffloadConnection connection = Connect.once(endpoint, config)) {
            spec.commandLine().getErr().printf(
                    "offloadctl: SECURITY FAILURE: %s at %s accepted a certificate from another CA%n",
                    connection.peer(), endpoint);
            return ExitCodes.FAILURE;
        }
    }
}
