package io.dpuoffload.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RenewalPolicyTest {

    private static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");
    private static final RenewalPolicy POLICY = RenewalPolicy.DEFAULT;

    @Test
    void aNinetyDayCertificateIsRenewedWithThirtyDaysLeft() {
        Instant renewAt = POLICY.renewAt(ISSUED, ISSUED.plus(Duration.ofDays(90)));

        assertThat(Duration.between(ISSUED, renewAt)).isEqualTo(Duration.ofDays(60));
    }

    @Test
    void aLongCertificateIsRenewedAtTwoThirdsWhichLeavesMoreThanTheMargin() {
        Instant notAfter = ISSUED.plus(Duration.ofDays(3650));

        assertThat(Duration.between(POLICY.renewAt(ISSUED, notAfter), notAfter))
                .isGreaterThan(RenewalPolicy.DEFAULT_MINIMUM_REMAINING);
    }

    @Test
    void theMarginBringsRenewalForwardWhenTheFractionWouldLeaveLess() {
        // 15 days: two thirds would leave 5 days, under the week's margin.
        Instant notAfter = ISSUED.plus(Duration.ofDays(15));

        assertThat(POLICY.renewAt(ISSUED, notAfter)).isEqualTo(notAfter.minus(Duration.ofDays(7)));
    }

    @Test
    void aShortCertificateUsesAtLeastHalfItsLifeSoItIsNotRenewedOnIssue() {
        // One day: the week's margin would put renewal before the certificate even starts.
        Instant notAfter = ISSUED.plus(Duration.ofDays(1));

        assertThat(POLICY.renewAt(ISSUED, notAfter)).isEqualTo(ISSUED.plus(Duration.ofHours(12)));
    }

    @Test
    void isDueFromTheRenewalMomentOnIncludingAfterExpiry() {
        CaPem ca = CaPem.create("test CA", ISSUED);
        var certificate = ca.issue("host-01", java.util.Optional.empty(), ISSUED)
                .material()
                .node()
                .certificate();
        Instant renewAt = POLICY.renewAt(certificate);

        assertThat(POLICY.isDue(certificate, renewAt.minusSeconds(1))).isFalse();
        assertThat(POLICY.isDue(certificate, renewAt)).isTrue();
        assertThat(POLICY.isDue(
                        certificate, certificate.getNotAfter().toInstant().plusSeconds(1)))
                .isTrue();
    }

    @Test
    void refusesAFractionOutsideTheLifetime() {
        assertThatThrownBy(() -> new RenewalPolicy(1.0, Duration.ZERO)).hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> new RenewalPolicy(0.5, Duration.ofDays(-1))).hasMessageContaining("negative");
    }
}
