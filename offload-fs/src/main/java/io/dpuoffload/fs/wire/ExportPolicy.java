package io.dpuoffload.fs.wire;

/**
 * What the DPU side must know about the export it mounted.
 *
 * @param session the host's id for this mount's inode and handle tables
 * @param readOnly the host refuses changes (the DPU mounts it read-only too)
 * @param procView serve /proc semantics: DPU pids resolve locally, no caching, direct I/O
 * @param cached entries and attributes may be cached for {@code ttlMillis}
 * @param features the wire features the host offers (e.g. {@link PostOpAttrs#FEATURE}); 0 from an older host
 */
public record ExportPolicy(
        int session, boolean readOnly, boolean procView, boolean cached, long ttlMillis, int features) {
    public boolean offers(int feature) {
        return (features & feature) == feature;
    }
}
