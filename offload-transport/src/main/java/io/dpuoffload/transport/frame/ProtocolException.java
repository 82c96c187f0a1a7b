package io.dpuoffload.transport.frame;

/**
 * Bytes that break the wire protocol. Never crosses the channel: the decoder logs it once and
 * closes the connection.
 */
public final class ProtocolException extends Exception {
    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
