package io.dpuoffload.fs.config;

/** How long the DPU's kernel may trust what it learned about an export's names and attributes. */
public enum CachePolicy {
    /** Ask the host every time: /proc, /sys, cgroups, anything that changes under us. */
    NONE,
    /**
     * Trust entries and attributes for the export's TTL; this side's own writes invalidate at once,
     * and the host tells what its programs change within a bound (docs/offload-fs.md, "Host changes").
     */
    TTL
}
