package io.dpuoffload.transport;

/** The connection closed (peer gone, silent, or link cut) while the request or stream was open. */
public final class ConnectionLostException extends TransportException {
    public ConnectionLostException(String message) {
        super(message);
    }

    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
