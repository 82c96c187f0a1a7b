package io.dpuoffload.transport;

/** The connection closed (peer gone, silent, or link cut) while the request or stream was open. */
public final class ConnectionLostException extends TransportException {
    private final boolean peerStopped;

    public ConnectionLostException(String message) {
        this(message, false);
    }

    /**
     * @param peerStopped the peer said it stops ({@code GoAwayCode.SHUTDOWN}): what it kept for this
     *     side is gone with it, as opposed to a link that was cut, or a connection it only replaces
     */
    public ConnectionLostException(String message, boolean peerStopped) {
        super(message);
        this.peerStopped = peerStopped;
    }

    /** Whether the peer said it stops, rather than the connection merely failing. */
    public boolean peerStopped() {
        return peerStopped;
    }

    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
        this.peerStopped = false;
    }
}
