package io.dpuoffload.api.status;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A condition's status, as Kubernetes writes it. */
public enum ConditionStatus {
    @JsonProperty("True")
    TRUE,
    @JsonProperty("False")
    FALSE,
    @JsonProperty("Unknown")
    UNKNOWN;

    public static ConditionStatus of(boolean holds) {
        return holds ? TRUE : FALSE;
    }

    @Override
    public String toString() {
        return name().charAt(0) + name().substring(1).toLowerCase(java.util.Locale.ROOT);
    }
}
