package io.dpuoffload.pki;

import java.nio.file.Path;

/**
 * A certificate or key file that cannot be used: missing, unreadable, not PEM, the wrong kind of
 * object, or not matching the other files. The message names the file, says what is wrong and how
 * to fix it; offloadctl reports it as a bad input file.
 */
public final class TlsFileException extends RuntimeException {
    private final Path file;

    public TlsFileException(Path file, String problemAndFix) {
        super(file + ": " + problemAndFix);
        this.file = file;
    }

    public TlsFileException(Path file, String problemAndFix, Throwable cause) {
        super(file + ": " + problemAndFix, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
