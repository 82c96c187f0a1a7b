package io.dpuoffload.cli.channel;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.pki.PemFiles;
import io.dpuoffload.transport.Feature;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.PeerIdentity;
import io.dpuoffload.transport.tls.TlsContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl channel impostor} (hidden, for {@code channel demo}): an attacker's client. It trusts the
 * installation's CA, as anyone who copied the public ca.crt can, and presents a certificate that its own CA issued,
 * even though the host asks for one from the installation's CA (a normal TLS client would then present none). The
 * host must refuse it. {@code channel probe} cannot play this part: it checks its files first and stops before
 * connecting.
 */
@Command(
        name = "impostor",
        hidden = true,
        description = "For the demo: connect with a certificate the host's CA did not issue; exit code 4 when refused.")
final class ImpostorCommand implements Callable<Integer> {

    @Option(names = "--server", paramLabel = "ENDPOINT", required = true, description = "The host's channel.")
    String server;

    @Option(names = "--trust", paramLabel = "FILE", required = true, description = "The CA certificate to trust.")
    Path trust;

    @Option(names = "--certificate", paramLabel = "FILE", required = true, description = "The certificate to present.")
    Path certificate;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "Its private key.")
    Path key;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Endpoint endpoint = OptionValues.endpoint(spec, "--server", server);
        String fix = "give the files `offloadctl channel demo` wrote";
        X509Certificate presented = PemFiles.readCertificate(certificate, fix);
        SslContext tls = SslContextBuilder.forClient()
                .keyManager(new KeyManagerFactoryWrapper(
                        new InsistentKeyManager(presented, PemFiles.readPrivateKey(key, fix))))
                .trustManager(PemFiles.readCertificate(trust, fix))
                .endpointIdentificationAlgorithm(null)
                .protocols(TlsContexts.TLS_1_3)
                .sslProvider(SslProvider.JDK)
                .build();
        TransportConfig config = TransportConfig.builder(
                        PeerIdentity.fromCertificate(presented).name())
                .tls(tls)
                .features(Set.of(Feature.DIAGNOSTICS))
                .build();
        try (OffloadConnection connection = Connect.once(endpoint, config)) {
            spec.commandLine()
                    .getErr()
                    .printf(
                            "offloadctl: SECURITY FAILURE: %s at %s accepted a certificate from another CA%n",
                            connection.peer(), endpoint);
            return ExitCodes.FAILURE;
        }
    }

    /** Presents its one certificate whatever the server asks for. */
    private static final class InsistentKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "impostor";

        private final X509Certificate certificate;
        private final PrivateKey privateKey;

        InsistentKeyManager(X509Certificate certificate, PrivateKey privateKey) {
            this.certificate = certificate;
            this.privateKey = privateKey;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] {certificate};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return privateKey;
        }
    }
}
