package io.dpuoffload.cli;

/**
 * An input file or value that cannot be used. The message names the input and says how to fix it;
 * offloadctl prints it and exits with {@link ExitCodes#BAD_INPUT}.
 */
public final class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
