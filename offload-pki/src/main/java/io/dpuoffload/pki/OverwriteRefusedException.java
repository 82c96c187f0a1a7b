package io.dpuoffload.pki;

import java.nio.file.Path;

/**
 * A certificate or key was not written because the file already exists. Replacing a CA key by
 * accident orphans every certificate it issued, so writing over a file is always an explicit
 * choice.
 */
public final class OverwriteRefusedException extends RuntimeException {
    private final Path file;

    public OverwriteRefusedException(Path file) {
        super("refusing to overwrite " + file + ": it already exists; pass --force to replace it");
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
