package io.dpuoffload.crd.profile;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The api module's {@code CacheMode}, as the CRD's enum. */
public enum CacheSpec {
    @JsonProperty("ttl")
    TTL,
    @JsonProperty("none")
    NONE
}
