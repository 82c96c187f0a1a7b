package io.dpuoffload.transport;

/**
 * Thrown by a handler to answer a request with an error: the code (for file operations a negative
 * errno) and message reach the caller as a {@link RemoteException}.
 */
public class ServiceException extends Exception {
    private final int code;

    public ServiceException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
