package io.dpuoffload.intercept;

/**
 * Services the intercepted {@code connect()} calls (offload-ipc's transparent connect: a connect to
 * a peer's socket is made on the peer). Runs on the notification thread, so a handler hands
 * anything that waits (a connect to a peer, an accept) to another thread and answers from there.
 */
public interface ConnectHandler {
    /** Answers {@code call} exactly once: continued, failed, or connected to a socket of ours. */
    void connect(ConnectCall call);
}
