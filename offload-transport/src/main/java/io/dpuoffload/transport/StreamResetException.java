package io.dpuoffload.transport;

import io.dpuoffload.transport.frame.ResetCode;

/** The stream or request was cancelled or refused, by this side or the peer. */
public final class StreamResetException extends TransportException {
    private final ResetCode code;

    public StreamResetException(ResetCode code, String message) {
        super(message);
        this.code = code;
    }

    public ResetCode code() {
        return code;
    }
}
