package io.dpuoffload.fs.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises the mount's readahead. A FUSE connection starts at 128 KiB whatever INIT offers, which
 * keeps at most two 128 KiB reads in flight across the channel; 1 MiB lets sequential reads fill
 * it (measured: cold 512 MiB reads about 1.7× faster, docs/benchmarks.md). Best effort: a mount
 * works without it.
 */
final class Readahead {
    private static final Logger log = LoggerFactory.getLogger(Readahead.class);

    /** Matches FUSE's max_pages (1 MiB requests). */
    static final int KIB = 1024;

    static void raise(Path mountpoint) {
        try {
            long dev = ((Number) Files.getAttribute(mountpoint, "unix:dev")).longValue();
            long major = (dev >>> 8) & 0xfff;
            long minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
            Path knob = Path.of("/sys/class/bdi/" + major + ":" + minor + "/read_ahead_kb");
            Files.writeString(knob, Integer.toString(KIB));
        } catch (IOException | RuntimeException e) {
            log.debug("could not raise readahead of {}: {}", mountpoint, e.getMessage());
        }
    }

    private Readahead() {}
}
