package io.dpuoffload.transport;

/**
 * The peers could not agree to talk: TLS refused a certificate, the protocol versions do not
 * overlap, or the peer's identity is not the one expected. Retrying will not help until the
 * configuration changes, so a reconnecting client reports it rather than hiding it.
 */
public final class HandshakeException extends TransportException {
    public HandshakeException(String message) {
        super(message);
    }

    public HandshakeException(String message, Throwable cause) {
        super(message, cause);
    }
}
