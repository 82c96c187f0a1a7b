package io.dpuoffload.cli.channel;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.pki.NodeNames;
import io.dpuoffload.transport.net.Endpoint;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks the channel commands' option values. A bad value on the command line is a usage error (exit 2), like the
 * {@code certs} commands' {@code --days} and {@code --node}; the message names the option and the accepted forms.
 */
public final class OptionValues {

    private OptionValues() {}

    /** A size such as {@code 64MiB} within {@code min..max} (see {@link ByteSize}). */
    public static long size(CommandSpec spec, String option, String text, long min, long max) {
        try {
            return ByteSize.parse(option, text, min, max);
        } catch (BadInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    public static int count(CommandSpec spec, String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ParameterException(
                    spec.commandLine(), option + " must be between " + min + " and " + max + ", but is " + value);
        }
        return value;
    }

    /** {@code tcp://HOST:PORT}, {@code HOST:PORT}, {@code unix:/PATH} or {@code vsock://CID:PORT}. */
    public static Endpoint endpoint(CommandSpec spec, String option, String text) {
        try {
            return Endpoint.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage(), e);
        }
    }

    static String nodeName(CommandSpec spec, String option, String text) {
        try {
            return NodeNames.requireValid("node name", text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage(), e);
        }
    }
}
