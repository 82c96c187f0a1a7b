package io.dpuoffload.fs.fuse;

/**
 * A FUSE message that does not follow the protocol: truncated, with lengths that disagree, or with a
 * string that is not NUL-terminated. It is a protocol error, not an operation error: the caller answers
 * the request with EIO (or EINVAL) if its header could be read, and otherwise closes the channel.
 */
public final class FuseProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    public FuseProtocolException(String message) {
        super(message);
    }
}
