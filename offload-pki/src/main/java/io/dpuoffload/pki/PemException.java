package io.dpuoffload.pki;

/**
 * PEM text that is not what it should be: not PEM, damaged, the wrong kind of object, or more than
 * one where one belongs. The message says what is wrong and how to fix it, but not where the text
 * came from: {@link PemFiles} adds the file, the operator the Secret and key.
 */
public final class PemException extends IllegalArgumentException {

    public PemException(String problemAndFix) {
        super(problemAndFix);
    }

    public PemException(String problemAndFix, Throwable cause) {
        super(problemAndFix, cause);
    }
}
