package io.dpuoffload.transport;

/**
 * Every failure the channel reports to its users. The subclasses are the cases a caller can act on;
 * each message says what happened and, where there is one, the fix.
 */
public abstract sealed class TransportException extends RuntimeException
        permits ConnectionLostException,
                DeadlineExceededException,
                HandshakeException,
                RemoteException,
                StreamResetException {

    protected TransportException(String message) {
        super(message);
    }

    protected TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
