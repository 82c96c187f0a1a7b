package io.dpuoffload.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints a failed command's message as one line on stderr, without a stack trace: the messages are
 * written to name the problem and the fix. {@code OFFLOADCTL_DEBUG=1} adds the stack trace.
 */
final class ErrorReporter implements IExecutionExceptionHandler {
    /** The program named at the start of each message: offloadctl, or offload-bench, which reports the same way. */
    private final String program;

    ErrorReporter(String program) {
        this.program = program;
    }

    @Override
    public int handleExecutionException(Exception failure, CommandLine command, ParseResult parsed) {
        var err = command.getErr();
        err.println(command.getColorScheme().errorText(program + ": " + describe(failure)));
        if ("1".equals(System.getenv("OFFLOADCTL_DEBUG"))) {
            failure.printStackTrace(err);
        }
        err.flush();
        return new ExitCodeMapper().getExitCode(failure);
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }
}
