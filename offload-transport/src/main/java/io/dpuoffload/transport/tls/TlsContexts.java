package io.dpuoffload.transport.tls;

import io.dpuoffload.pki.TlsFileException;
import io.dpuoffload.pki.TlsFiles;
import io.dpuoffload.pki.TlsMaterial;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/**
 * The Netty TLS contexts for the two ends of the channel. Both sides:
 *
 * <ul>
 *   <li>speak TLS 1.3 only: the host and DPU ship together, so there is no old peer to wait for;
 *   <li>trust only the installation's CA, never the JDK's cacerts: a certificate from a public CA
 *       proves nothing about being one of our nodes;
 *   <li>use the JDK provider, so no native library has to match the DPU's Arm build.
 * </ul>
 *
 * <p>The server requires a client certificate. The client does not check the server's name against
 * DNS: nodes are named, not resolved, and are often dialled by address. TLS proves the peer holds a
 * certificate from our CA; the channel then checks {@link PeerIdentity#fromSslSession} against the
 * node it meant to reach.
 */
public final class TlsContexts {

    public static final String TLS_1_3 = "TLSv1.3";

    private TlsContexts() {}

    /** @throws TlsFileException if a file is missing or unusable (see {@link TlsFiles#load()}) */
    public static SslContext forServer(TlsFiles files) {
        return forServer(files.load());
    }

    public static SslContext forServer(TlsMaterial material) {
        var builder = SslContextBuilder.forServer(
                        material.node().privateKey(), material.node().certificate())
                .clientAuth(ClientAuth.REQUIRE);
        return build(builder, material);
    }

    /** @throws TlsFileException if a file is missing or unusable (see {@link TlsFiles#load()}) */
    public static SslContext forClient(TlsFiles files) {
        return forClient(files.load());
    }

    public static SslContext forClient(TlsMaterial material) {
        var builder = SslContextBuilder.forClient()
                .keyManager(material.node().privateKey(), material.node().certificate())
                // Netty 4.2 turns on HTTPS-style host name checks for clients; see the class comment.
                .endpointIdentificationAlgorithm(null);
        return build(builder, material);
    }

    private static SslContext build(SslContextBuilder builder, TlsMaterial material) {
        try {
            return builder.sslProvider(SslProvider.JDK)
                    .protocols(TLS_1_3)
                    .trustManager(material.trustedCas().toArray(X509Certificate[]::new))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException(
                    "cannot build a TLS 1.3 context for " + material.identity() + ": " + e.getMessage(), e);
        }
    }
}
