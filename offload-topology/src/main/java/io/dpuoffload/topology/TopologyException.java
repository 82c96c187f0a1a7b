package io.dpuoffload.topology;

/**
 * A topology or node-process operation failed. The message says what was attempted, on which node, and carries the
 * output a failing command printed, so a test failure can be read without digging through logs.
 */
public final class TopologyException extends RuntimeException {

    public TopologyException(String message) {
        super(message);
    }

    public TopologyException(String message, Throwable cause) {
        super(message, cause);
    }
}
