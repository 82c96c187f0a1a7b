package io.dpuoffload.crd.profile;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The api module's {@code RestartPolicy}, as the CRD's enum. */
public enum RestartSpec {
    @JsonProperty("always")
    ALWAYS,
    @JsonProperty("on-failure")
    ON_FAILURE,
    @JsonProperty("never")
    NEVER
}
