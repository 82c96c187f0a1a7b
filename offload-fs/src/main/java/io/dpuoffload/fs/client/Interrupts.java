package io.dpuoffload.fs.client;

import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseProtocol;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;

/** The DPU's side of an interrupted call: how long the host has to end it, and how to undo a late open. */
final class Interrupts {
    /**
     * How long the host has to end an interrupted wait before the DPU answers EINTR itself. A host
     * signals its waiting thread within milliseconds; this is for one that cannot (an older version,
     * or a wait no signal ends), so that a signal still frees its caller in bounded time.
     */
    static final Duration HOST_GRACE = Duration.ofSeconds(2);

    /** struct fuse_release_in: fh u64, flags u32, release_flags u32, lock_owner u64. */
    private static final int RELEASE_IN_SIZE = 24;

    /** struct fuse_open_out starts with the handle, right after the reply header. */
    private static final int OPEN_OUT_FH = FuseProtocol.OUT_HEADER_SIZE;

    /**
     * For the host's successful reply to {@code open} after its caller was told EINTR: a RELEASE of the
     * handle it made, sent as the opener, for the same node. Empty for any other reply.
     */
    static Optional<ByteBuffer> releaseOfLateOpen(FuseInHeader open, ByteBuffer reply) {
        if (open.kind() != FuseOpcode.OPEN
                || reply.remaining() < OPEN_OUT_FH + 8
                || reply.getInt(reply.position() + 4) != 0) {
            return Optional.empty();
        }
        long fh = reply.getLong(reply.position() + OPEN_OUT_FH);
        int length = FuseProtocol.IN_HEADER_SIZE + RELEASE_IN_SIZE;
        ByteBuffer release = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        release.putInt(0, length);
        release.putInt(4, FuseOpcode.RELEASE.code());
        release.putLong(8, open.unique());
        release.putLong(16, open.nodeid());
        release.putInt(24, open.uid());
        release.putInt(28, open.gid());
        release.putInt(32, open.pid());
        release.putLong(FuseProtocol.IN_HEADER_SIZE, fh);
        return Optional.of(release);
    }

    private Interrupts() {}
}
