package io.dpuoffload.api.status;

/**
 * A daemon's last health check.
 *
 * @param detail the daemon's answer when healthy, why not otherwise
 * @param failures failed checks in a row
 * @param threshold failed checks in a row that restart the daemon
 */
public record HealthVerdict(boolean healthy, String detail, int failures, int threshold) {}
