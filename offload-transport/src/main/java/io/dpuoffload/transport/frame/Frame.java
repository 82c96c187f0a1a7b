package io.dpuoffload.transport.frame;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;

/**
 * One frame of the wire protocol. Frames that carry a body hold a reference-counted {@link ByteBuf}:
 * whoever consumes the frame releases it (the encoder does on write).
 */
public sealed interface Frame {

    /** The stream a frame belongs to; 0 for connection-level frames. */
    int streamId();

    FrameType type();

    /** Releases the body, if the frame has one. */
    default void release() {}

    /** Control-plane frames: the connection, not a stream. */
    sealed interface ConnectionFrame extends Frame {
        @Override
        default int streamId() {
            return 0;
        }
    }

    record Hello(int minVersion, int maxVersion, long features, String software) implements ConnectionFrame {
        @Override
        public FrameType type() {
            return FrameType.HELLO;
        }
    }

    record HelloAck(int version, long features, String software) implements ConnectionFrame {
        @Override
        public FrameType type() {
            return FrameType.HELLO_ACK;
        }
    }

    record GoAway(GoAwayCode code, String reason) implements ConnectionFrame {
        @Override
        public FrameType type() {
            return FrameType.GO_AWAY;
        }
    }

    record Ping(long payload) implements ConnectionFrame {
        @Override
        public FrameType type() {
            return FrameType.PING;
        }
    }

    record Pong(long payload) implements ConnectionFrame {
        @Override
        public FrameType type() {
            return FrameType.PONG;
        }
    }

    /** A request; {@code timeoutMillis} is what is left of the caller's deadline when sent. */
    record Request(int streamId, int service, long timeoutMillis, ByteBuf body) implements Frame {
        @Override
        public FrameType type() {
            return FrameType.REQUEST;
        }

        @Override
        public void release() {
            ReferenceCountUtil.safeRelease(body);
        }
    }

    /**
     * A message to a service on the peer that wants no answer (negotiated as {@code
     * Feature.NOTICES}): the peer runs the service's handler and drops what it returns. Not a stream:
     * it has no id, and nothing on the wire refers back to it.
     */
    record Notice(int service, ByteBuf body) implements Frame {
        @Override
        public int streamId() {
            return 0;
        }

        @Override
        public FrameType type() {
            return FrameType.NOTICE;
        }

        @Override
        public void release() {
            ReferenceCountUtil.safeRelease(body);
        }
    }

    /** A successful answer. */
    record Response(int streamId, ByteBuf body) implements Frame {
        @Override
        public FrameType type() {
            return FrameType.RESPONSE;
        }

        @Override
        public void release() {
            ReferenceCountUtil.safeRelease(body);
        }
    }

    /** A failed answer: the handler's error code (a negative errno for file operations) and text. */
    record ErrorResponse(int streamId, int code, String message) implements Frame {
        @Override
        public FrameType type() {
            return FrameType.RESPONSE;
        }
    }

    record Reset(int streamId, ResetCode code, String reason) implements Frame {
        @Override
        public FrameType type() {
            return FrameType.RESET;
        }
    }

    record StreamOpen(int streamId, int service, ByteBuf header) implements Frame {
        @Override
        public FrameType type() {
            return FrameType.STREAM_OPEN;
        }

        @Override
        public void release() {
            ReferenceCountUtil.safeRelease(header);
        }
    }

    record StreamData(int streamId, ByteBuf data, boolean fin) implements Frame {
        @Override
        public FrameType type() {
            return FrameType.STREAM_DATA;
        }

        @Override
        public void release() {
            ReferenceCountUtil.safeRelease(data);
        }
    }

    record WindowUpdate(int streamId, int increment) implements Frame {
        @Override
        public FrameType type() {
            return FrameType.WINDOW_UPDATE;
        }
    }
}
