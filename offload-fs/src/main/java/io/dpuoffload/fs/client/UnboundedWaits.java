package io.dpuoffload.fs.client;

import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseProtocol;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which requests may rightly wait without bound: an open (a fifo's waits for its other end; the
 * DPU cannot tell, as fifos are shown as regular files) and reads and writes of a handle opened
 * with FOPEN_STREAM, which the host sets only for fifos. Sent while connected, they get a long
 * deadline instead of the operation timeout; losing the channel still fails them within the
 * heartbeat timeout.
 */
final class UnboundedWaits {
    static final Duration TIMEOUT = Duration.ofDays(1);

    /** Offsets in the kernel's structs: see fuse.h (fuse_entry_out, fuse_attr, fuse_open_out, fuse_read_in). */
    private static final int OPEN_FH = FuseProtocol.OUT_HEADER_SIZE;

    private static final int OPEN_FLAGS = FuseProtocol.OUT_HEADER_SIZE + 8;
    private static final int IN_FH = 40;
    private final Set<Long> streamHandles = ConcurrentHashMap.newKeySet();

    boolean mayWaitForever(FuseInHeader header, ByteBuffer request) {
        return switch (header.kind()) {
            case OPEN -> true;
            case READ, WRITE -> request.remaining() >= IN_FH + 8 && streamHandles.contains(request.getLong(IN_FH));
            default -> false;
        };
    }

    /** Whether {@code fh} is a handle opened with FOPEN_STREAM (a shared fifo's end) and not yet released. */
    boolean isStreamHandle(long fh) {
        return streamHandles.contains(fh);
    }

    /** Learns from a successful reply (error 0) to {@code header}'s request. */
    void observe(FuseInHeader header, ByteBuffer request, ByteBuffer reply) {
        if (reply.remaining() < FuseProtocol.OUT_HEADER_SIZE || reply.getInt(4) != 0) {
            return;
        }
        FuseOpcode kind = header.kind();
        if (kind == FuseOpcode.OPEN && reply.remaining() >= OPEN_FLAGS + 4) {
            if ((reply.getInt(OPEN_FLAGS) & FuseProtocol.FOPEN_STREAM) != 0) {
                streamHandles.add(reply.getLong(OPEN_FH));
            }
        } else if (kind == FuseOpcode.RELEASE && request.remaining() >= IN_FH + 8) {
            streamHandles.remove(request.getLong(IN_FH));
        }
    }
}
