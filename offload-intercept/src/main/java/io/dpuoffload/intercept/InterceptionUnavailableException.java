package io.dpuoffload.intercept;

import java.io.IOException;

/** Interception cannot work on this kernel or in this process; the message says why and what is needed. */
public final class InterceptionUnavailableException extends IOException {
    public InterceptionUnavailableException(String message) {
        super(message);
    }
}
