package io.dpuoffload.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodePemTest {

    private static final Instant NOW = Instant.now();
    private static final CaPem CA = CaPem.create("test CA", NOW);
    private static final NodeIdentity DPU = new NodeIdentity("dpu-01", Optional.of("rack3-07"));
    private static final NodePem NODE = CA.issue("dpu-01", Optional.of("rack3-07"), NOW);

    @Test
    void theSecretHasTheNamesTheAgentReadsFromItsPkiDirectory(@TempDir Path dir) throws Exception {
        Map<String, String> data = NODE.secretData();
        assertThat(data).containsOnlyKeys("ca.crt", "dpu-01.crt", "dpu-01.key");

        // A Secret mounted as a directory is one file per key: TlsFiles reads it as it reads offloadctl's.
        for (var entry : data.entrySet()) {
            Files.writeString(dir.resolve(entry.getKey()), entry.getValue());
        }
        TlsMaterial loaded = TlsFiles.inDirectory(dir, "dpu-01").load();

        assertThat(loaded.identity()).isEqualTo(DPU);
        assertThat(loaded.node().certificate()).isEqualTo(NODE.material().node().certificate());
    }

    @Test
    void readsBackFromSecretDataAndNamesAMissingKey() {
        assertThat(NodePem.fromSecretData("dpu-01", NODE.secretData())).isEqualTo(NODE);

        Map<String, String> noKey = new HashMap<>(NODE.secretData());
        noKey.remove("dpu-01.key");
        assertThatThrownBy(() -> NodePem.fromSecretData("dpu-01", noKey))
                .isInstanceOf(PemException.class)
                .hasMessageStartingWith("dpu-01.key: missing from the Secret");
    }

    @Test
    void freshCredentialsNeedNoRenewal() {
        assertThat(NODE.renewalReason(CA.authority(), DPU, NOW, RenewalPolicy.DEFAULT))
                .isEmpty();
    }

    @Test
    void renewalIsDueAfterTwoThirdsOfTheLifetime() {
        Instant later = NOW.plus(Validity.NODE_DEFAULT.multipliedBy(2).dividedBy(3));

        assertThat(NODE.renewalReason(CA.authority(), DPU, later, RenewalPolicy.DEFAULT))
                .hasValueSatisfying(reason -> assertThat(reason).contains("renewal was due on"));
    }

    @Test
    void aCertificateForAnotherNodeOrPairIsRenewed() {
        var otherPair = new NodeIdentity("dpu-01", Optional.of("rack4-01"));

        assertThat(NODE.renewalReason(CA.authority(), otherPair, NOW, RenewalPolicy.DEFAULT))
                .hasValueSatisfying(reason -> assertThat(reason)
                        .isEqualTo("the certificate is for node dpu-01 (pair rack3-07), but this Secret is for node"
                                + " dpu-01 (pair rack4-01)"));
    }

    @Test
    void aCertificateFromAnotherCaIsRenewed() {
        CaPem next = CaPem.create("next CA", NOW);

        assertThat(NODE.renewalReason(next.authority(), DPU, NOW, RenewalPolicy.DEFAULT))
                .hasValueSatisfying(reason -> assertThat(reason).contains("not by the current CA 'CN=next CA'"));
    }

    @Test
    void aBundleWithoutTheCurrentCaIsRenewed() {
        CaPem other = CaPem.create("other CA", NOW);
        NodePem wrongBundle = NODE.withCaBundle(List.of(other.authority().certificate()));

        assertThat(wrongBundle.renewalReason(CA.authority(), DPU, NOW, RenewalPolicy.DEFAULT))
                .hasValueSatisfying(reason -> assertThat(reason).contains("lacks the current CA"));
    }

    @Test
    void unreadableOrMismatchedTextIsRenewedWithTheKeyNamed() {
        NodePem garbage = new NodePem("dpu-01", NODE.caBundle(), "garbage", NODE.privateKey());
        NodePem otherKey = new NodePem(
                "dpu-01",
                NODE.caBundle(),
                NODE.certificate(),
                CA.issue("dpu-01", Optional.empty(), NOW).privateKey());

        assertThat(garbage.renewalReason(CA.authority(), DPU, NOW, RenewalPolicy.DEFAULT))
                .hasValueSatisfying(reason -> assertThat(reason).contains("dpu-01.crt: not a PEM certificate"));
        assertThat(otherKey.renewalReason(CA.authority(), DPU, NOW, RenewalPolicy.DEFAULT))
                .hasValue("the private key is not the certificate's");
    }

    @Test
    void aBundleOfTwoCasIsTrustedWhole() {
        CaPem next = CaPem.create("next CA", NOW);
        var both = List.of(CA.authority().certificate(), next.authority().certificate());

        assertThat(NODE.withCaBundle(both).material().trustedCas()).containsExactlyElementsOf(both);
    }
}
