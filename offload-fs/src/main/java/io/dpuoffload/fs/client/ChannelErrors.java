package io.dpuoffload.fs.client;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.transport.RemoteException;
import java.util.concurrent.CompletionException;

/**
 * The errno a caller on the DPU sees when the channel, not the host's file system, failed. Never
 * EINTR: a call the channel could not complete may have been done on the host, and EINTR would
 * tell a program to retry it (see FuseSession#interrupt for the calls that do end with EINTR).
 */
final class ChannelErrors {

    static int errnoOf(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return switch (cause) {
            case RemoteException remote -> remote.code() > 0 && remote.code() <= 4095 ? remote.code() : Errno.EIO;
            // Deadline passed, connection lost or reset, handshake refused: the host is out of reach.
            default -> Errno.EIO;
        };
    }

    private ChannelErrors() {}
}
