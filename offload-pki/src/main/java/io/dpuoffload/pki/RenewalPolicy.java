package io.dpuoffload.pki;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a certificate should be replaced: once {@code elapsedFraction} of its lifetime has passed,
 * or earlier if less than {@code minimumRemaining} would be left by then, whichever comes first, but
 * never before half of its lifetime (so a certificate shorter than twice the margin is not renewed
 * the moment it is issued, again and again).
 *
 * @param elapsedFraction the part of the lifetime after which renewal is due, in (0, 1)
 * @param minimumRemaining renewal is due at the latest when this much validity remains
 */
public record RenewalPolicy(double elapsedFraction, Duration minimumRemaining) {

    /**
     * Renew after two thirds of the lifetime, as cert-manager does by default: for a 90-day
     * certificate that leaves 30 days in which the operator may be down, the API server unreachable
     * or a node offline before anything expires.
     */
    public static final double DEFAULT_ELAPSED_FRACTION = 2.0 / 3.0;

    /**
     * At the latest a week before expiry, for long certificates (a CA, or a node certificate from
     * offloadctl): a week covers an outage over a long weekend plus the time to notice it.
     */
    public static final Duration DEFAULT_MINIMUM_REMAINING = Duration.ofDays(7);

    /** The least part of a lifetime that is used before renewal, whatever the margin asks. */
    private static final double LEAST_ELAPSED_FRACTION = 0.5;

    public static final RenewalPolicy DEFAULT = new RenewalPolicy(DEFAULT_ELAPSED_FRACTION, DEFAULT_MINIMUM_REMAINING);

    public RenewalPolicy {
        if (!(elapsedFraction > 0 && elapsedFraction < 1)) {
            throw new IllegalArgumentException(
                    "elapsedFraction must be between 0 and 1 (exclusive), e.g. 0.67, but is " + elapsedFraction);
        }
        Objects.requireNonNull(minimumRemaining, "minimumRemaining");
        if (minimumRemaining.isNegative()) {
            throw new IllegalArgumentException("minimumRemaining must not be negative, but is " + minimumRemaining);
        }
    }

    /** The moment renewal of {@code certificate} becomes due. */
    public Instant renewAt(X509Certificate certificate) {
        return renewAt(
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant());
    }

    /** The moment renewal of a certificate valid from {@code notBefore} to {@code notAfter} becomes due. */
    public Instant renewAt(Instant notBefore, Instant notAfter) {
        Duration lifetime = Duration.between(notBefore, notAfter);
        Instant byFraction = notBefore.plus(fractionOf(lifetime, elapsedFraction));
        Instant byMargin = notAfter.minus(minimumRemaining);
        Instant earliest = notBefore.plus(fractionOf(lifetime, LEAST_ELAPSED_FRACTION));
        Instant due = byFraction.isBefore(byMargin) ? byFraction : byMargin;
        return due.isBefore(earliest) ? earliest : due;
    }

    /** True once {@code now} has reached {@link #renewAt} (an expired certificate is due, too). */
    public boolean isDue(X509Certificate certificate, Instant now) {
        return !now.isBefore(renewAt(certificate));
    }

    private static Duration fractionOf(Duration lifetime, double fraction) {
        return Duration.ofMillis((long) (lifetime.toMillis() * fraction));
    }
}
