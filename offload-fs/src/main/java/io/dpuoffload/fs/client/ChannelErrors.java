package io.dpuoffload.fs.client;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.transport.RemoteException;
import io.dpuoffload.transport.StreamResetException;
import io.dpuoffload.transport.frame.ResetCode;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/** The errno a caller on the DPU sees when the channel, not the host's file system, failed. */
final class ChannelErrors {

    static int errnoOf(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return switch (cause) {
            case CancellationException _ -> Errno.EINTR; // the kernel sent INTERRUPT
            case RemoteException remote -> remote.code() > 0 && remote.code() <= 4095 ? remote.code() : Errno.EIO;
            case StreamResetException reset when reset.code() == ResetCode.CANCELLED -> Errno.EINTR;
            // Deadline passed, connection lost, handshake refused: the host is out of reach.
            default -> Errno.EIO;
        };
    }

    private ChannelErrors() {}
}
