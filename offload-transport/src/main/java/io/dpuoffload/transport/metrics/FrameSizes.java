package io.dpuoffload.transport.metrics;

import io.dpuoffload.transport.frame.Frame;

/** The body bytes of a frame, for byte counters (fixed fields are not counted; they are small). */
final class FrameSizes {
    static long bodyBytes(Frame frame) {
        return switch (frame) {
            case Frame.Request r -> r.body().readableBytes();
            case Frame.Response r -> r.body().readableBytes();
            case Frame.Notice n -> n.body().readableBytes();
            case Frame.StreamOpen o -> o.header().readableBytes();
            case Frame.StreamData d -> d.data().readableBytes();
            case Frame.ConnectionFrame _, Frame.ErrorResponse _, Frame.Reset _, Frame.WindowUpdate _ -> 0;
        };
    }

    private FrameSizes() {}
}
