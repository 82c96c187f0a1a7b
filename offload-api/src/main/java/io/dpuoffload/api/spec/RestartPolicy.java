package io.dpuoffload.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** When a daemon that ended is started again (after failed health checks it always is). */
public enum RestartPolicy {
    @JsonProperty("always")
    ALWAYS,
    /** When it exits with a status other than 0, or is killed by a signal. */
    @JsonProperty("on-failure")
    ON_FAILURE,
    @JsonProperty("never")
    NEVER;

    /** Whether a daemon that exited with {@code code} by itself is started again. */
    public boolean restartsAfter(int code) {
        return this == ALWAYS || (this == ON_FAILURE && code != 0);
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
