package io.dpuoffload.transport.liveness;

/** The peer stopped sending heartbeats: it, or the link to it, is gone. */
public final class PeerSilentException extends RuntimeException {
    public PeerSilentException(String message) {
        super(message, null, false, false);
    }
}
