package io.dpuoffload.cli;

import io.dpuoffload.pki.TlsFileException;
import io.dpuoffload.transport.TransportException;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.ParameterException;

/** The one place where a failure becomes an exit code (see {@link ExitCodes}). */
final class ExitCodeMapper implements IExitCodeExceptionMapper {
    @Override
    public int getExitCode(Throwable failure) {
        return switch (failure) {
            // picocli asks this mapper for command-line errors too, once a mapper is set.
            case ParameterException _ -> ExitCodes.USAGE;
            case BadInputException _ -> ExitCodes.BAD_INPUT;
            case TlsFileException _ -> ExitCodes.BAD_INPUT;
            case TransportException _ -> ExitCodes.PEER_UNAVAILABLE;
            case InterruptedException _ -> ExitCodes.INTERRUPTED;
            default -> ExitCodes.FAILURE;
        };
    }
}
