package io.dpuoffload.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How long the DPU's kernel may trust what it learned about a share's names and attributes. */
public enum CacheMode {
    /** Trust entries and attributes for the share's TTL: data directories. */
    @JsonProperty("ttl")
    TTL,
    /** Ask the host every time: /proc, /sys, cgroups, anything that changes under us. */
    @JsonProperty("none")
    NONE;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
