package io.dpuoffload.pki;

import java.time.Duration;
import java.time.Instant;

/** How long certificates are valid, and from when: the defaults of the operator and of offloadctl. */
public final class Validity {

    /**
     * Ten years for a CA. Replacing a CA means giving every node a new trust bundle and a new
     * certificate, so it should happen rarely; the CA key never leaves the machine (or Secret) that
     * issues, which is what makes a long life acceptable. {@code offloadctl certs init} has the same
     * default.
     */
    public static final Duration CA_DEFAULT = Duration.ofDays(3650);

    /**
     * Ninety days for a node certificate the operator issues. The operator renews it on its own
     * ({@link RenewalPolicy}) and the agents pick the new one up without a restart, so a short life
     * costs nothing and bounds how long a key copied off a node stays useful. (offloadctl's manual
     * {@code certs issue} keeps a year: there a person renews.)
     */
    public static final Duration NODE_DEFAULT = Duration.ofDays(90);

    /**
     * Certificates start this long before they are made. A DPU's clock can lag the host's (no RTC
     * battery, NTP not up yet after boot); without the margin a fresh certificate would be "not yet
     * valid" there for that long.
     */
    public static final Duration CLOCK_SKEW_ALLOWANCE = Duration.ofMinutes(5);

    private Validity() {}

    /** The start of validity for a certificate made at {@code now}. */
    public static Instant notBefore(Instant now) {
        return now.minus(CLOCK_SKEW_ALLOWANCE);
    }
}
