package io.dpuoffload.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dpuoffload.pki.CaPem;
import io.dpuoffload.pki.NodePem;
import io.dpuoffload.pki.SecretDirectory;
import io.dpuoffload.pki.TlsFileException;
import io.dpuoffload.pki.TlsFiles;
import io.netty.handler.ssl.SslContext;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What a node does when its certificate files change under it, the way Kubernetes changes a mounted
 * Secret. The clock is a counter and checks run on the calling thread, so nothing here waits.
 */
class ReloadingTlsContextTest {

    private static final String NODE = "dpu-01";
    private static final Optional<String> PAIR = Optional.of("pair-7");
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Instant NOW = Instant.now();

    private static final CaPem CA = CaPem.create("test CA", NOW);
    private static final CaPem NEXT_CA = CaPem.create("next CA", NOW);

    @TempDir
    Path dir;

    private final AtomicLong nanos = new AtomicLong();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ReloadingTlsContext.class);
    private SecretVolume volume;
    private NodePem first;
    private ReloadingTlsContext reloading;

    @BeforeEach
    void mountTheFirstCertificate() throws Exception {
        logged.start();
        logger.addAppender(logged);
        first = CA.issue(NODE, PAIR, NOW);
        volume = SecretVolume.create(dir.resolve("pki"), first.secretData());
        reloading = new ReloadingTlsContext(
                volume.files(NODE), ReloadingTlsContext.Side.CLIENT, INTERVAL, nanos::get, Runnable::run);
    }

    @AfterEach
    void detachLog() {
        logger.detachAppender(logged);
    }

    @Test
    void unchangedFilesKeepTheContext() {
        SslContext before = reloading.current();
        elapse(INTERVAL.multipliedBy(3));

        assertThat(reloading.current()).isSameAs(before);
        assertThat(reloading.reloadIfChanged()).isFalse();
    }

    @Test
    void aRenewedCertificateReachesNewConnectionsOnlyAfterTheCheckInterval() throws Exception {
        SslContext before = reloading.current();
        NodePem renewed = CA.issue(NODE, PAIR, NOW);
        volume.update(renewed.secretData());

        elapse(INTERVAL.minusMillis(1));
        assertThat(reloading.current()).as("not checked yet").isSameAs(before);

        elapse(Duration.ofMillis(1));
        assertThat(reloading.current()).isNotSameAs(before);
        assertThat(serialInUse()).isEqualTo(serialOf(renewed));
        assertThat(logged.list).anySatisfy(event -> assertThat(event.getFormattedMessage())
                .contains("new connections use the certificate in "
                        + volume.files(NODE).certificate())
                .contains("replaced serial " + serialOf(first).toString(16)));
    }

    @Test
    void aBundleOfOldAndNewCaWithACertificateFromTheNewOneIsTaken() throws Exception {
        NodePem fromNextCa = NEXT_CA.issue(NODE, PAIR, NOW).withCaBundle(List.of(ca(CA), ca(NEXT_CA)));
        volume.update(fromNextCa.secretData());

        assertThat(reloading.reloadIfChanged()).isTrue();
        assertThat(serialInUse()).isEqualTo(serialOf(fromNextCa));
        assertThat(reloading.material().trustedCas()).containsExactly(ca(CA), ca(NEXT_CA));
    }

    @Test
    void aCertificateFromACaOutsideTheBundleKeepsTheOldOneAndSaysWhyOnce() throws Exception {
        NodePem fromNextCaOnly = NEXT_CA.issue(NODE, PAIR, NOW).withCaBundle(List.of(ca(CA)));
        volume.update(fromNextCaOnly.secretData());

        assertThat(reloading.reloadIfChanged()).isFalse();
        assertThat(reloading.reloadIfChanged()).isFalse();

        assertThat(serialInUse()).isEqualTo(serialOf(first));
        List<String> warnings = logged.list.stream()
                .filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.getFirst())
                .contains("new connections keep serial " + serialOf(first).toString(16))
                .contains(volume.files(NODE).certificate() + ": was not issued by the CA in");
    }

    @Test
    void aHalfDoneUpdateKeepsTheOldCertificateAndTheFinishedOneIsTakenLater() throws Exception {
        NodePem renewed = CA.issue(NODE, PAIR, NOW);
        Map<String, String> newCertificateOldKey = new HashMap<>(renewed.secretData());
        newCertificateOldKey.put(NODE + ".key", first.privateKey());
        volume.update(newCertificateOldKey);

        assertThat(reloading.reloadIfChanged()).isFalse();
        assertThat(serialInUse()).isEqualTo(serialOf(first));
        assertThat(warnings()).anySatisfy(warning -> assertThat(warning)
                .contains(volume.files(NODE).privateKey() + ": is not the key of"));

        volume.update(renewed.secretData());
        assertThat(reloading.reloadIfChanged()).isTrue();
        assertThat(serialInUse()).isEqualTo(serialOf(renewed));
    }

    @Test
    void garbageInPlaceOfTheCertificateKeepsTheOldOne() throws Exception {
        Map<String, String> garbage = new HashMap<>(first.secretData());
        garbage.put(NODE + ".crt", "not a certificate");
        volume.update(garbage);

        assertThat(reloading.reloadIfChanged()).isFalse();
        assertThat(serialInUse()).isEqualTo(serialOf(first));
        assertThat(warnings()).anySatisfy(warning -> assertThat(warning).contains("not a PEM certificate"));
    }

    @Test
    void aSecretTheAgentWritesItselfIsPickedUpAsAMountedOne() {
        Path written = dir.resolve("written");
        SecretDirectory.publish(written, first.secretData());
        var fromWritten = new ReloadingTlsContext(
                TlsFiles.inDirectory(written, NODE),
                ReloadingTlsContext.Side.SERVER,
                INTERVAL,
                nanos::get,
                Runnable::run);
        NodePem renewed = CA.issue(NODE, PAIR, NOW);

        SecretDirectory.publish(written, renewed.secretData());
        elapse(INTERVAL);
        fromWritten.current();

        assertThat(fromWritten.material().node().certificate().getSerialNumber())
                .isEqualTo(serialOf(renewed));
    }

    @Test
    void unusableFilesAtStartAreAnErrorNotAWarning() throws Exception {
        Map<String, String> garbage = new HashMap<>(first.secretData());
        garbage.put("ca.crt", "not a certificate");
        SecretVolume bad = SecretVolume.create(dir.resolve("bad"), garbage);

        assertThatThrownBy(() -> ReloadingTlsContext.forServer(bad.files(NODE)))
                .isInstanceOf(TlsFileException.class)
                .hasMessageContaining("ca.crt");
    }

    private void elapse(Duration time) {
        nanos.addAndGet(time.toNanos());
    }

    private BigInteger serialInUse() {
        return reloading.material().node().certificate().getSerialNumber();
    }

    private List<String> warnings() {
        return logged.list.stream()
                .filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private static BigInteger serialOf(NodePem node) {
        return node.material().node().certificate().getSerialNumber();
    }

    private static java.security.cert.X509Certificate ca(CaPem ca) {
        return ca.authority().certificate();
    }
}
