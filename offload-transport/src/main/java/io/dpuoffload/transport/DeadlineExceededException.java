package io.dpuoffload.transport;

/** No answer arrived before the request's deadline; the request was cancelled on both sides. */
public final class DeadlineExceededException extends TransportException {
    public DeadlineExceededException(String message) {
        super(message);
    }

    public DeadlineExceededException(String message, Throwable cause) {
        super(message, cause);
    }
}
