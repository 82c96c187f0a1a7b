package io.dpuoffload.transport;

/**
 * The peer received the request and its handler failed. {@link #code()} is the handler's error
 * code (for the file system, a negative errno); the message is the peer's text.
 */
public final class RemoteException extends TransportException {
    private final int code;

    public RemoteException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
