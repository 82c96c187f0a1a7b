package io.dpuoffload.fs.client;

import io.dpuoffload.fs.fuse.FuseInHeader;
import java.nio.ByteBuffer;

/**
 * Which of the kernel's requests go to the host as notices (the transport's one-way messages: no
 * answer comes back, and they go out with the next request or within the transport's notice
 * bound), and which of those the DPU answers the kernel for at once. The host runs them all as
 * before, in order with the requests around them.
 *
 * <ul>
 *   <li>FORGET and BATCH_FORGET: the kernel expects no reply to them.
 *   <li>RELEASE and RELEASEDIR: the host's reply is always success (its release cannot fail in a
 *       way the caller could learn: close(2) returned before the kernel sent it) and carries nothing
 *       the DPU keeps (no post-operation attributes, no ACL, no stream handle to forget: see
 *       below), so the DPU answers the kernel at once. POSIX and flock locks are the DPU kernel's
 *       own (not forwarded), so a release frees no host lock either.
 * </ul>
 *
 * <p>The release of a shared fifo's end (a stream handle, see {@link UnboundedWaits}) stays a
 * request, sent at once: a reader on the host waits for that end to go to see end-of-file (a shim
 * waiting for a task's output to end), and a notice could hold it back by up to the bound; fifo
 * ends are few, so the round trip costs nothing measurable.
 */
final class HostNotices {
    enum Route {
        /** Sent as a request; the host's reply is the kernel's. */
        REQUEST,
        /** Sent as a notice; the kernel expects no reply. */
        NOTICE,
        /** Answered on the DPU (success), then sent as a notice. */
        ANSWER_HERE_THEN_NOTICE
    }

    /** struct fuse_release_in starts with the handle, right after the request header. */
    private static final int RELEASE_IN_FH = 40;

    static Route route(FuseInHeader header, ByteBuffer request, UnboundedWaits blocking) {
        return switch (header.kind()) {
            case FORGET, BATCH_FORGET -> Route.NOTICE;
            case RELEASEDIR -> Route.ANSWER_HERE_THEN_NOTICE;
            case RELEASE ->
                request.remaining() >= RELEASE_IN_FH + 8
                                && !blocking.isStreamHandle(request.getLong(request.position() + RELEASE_IN_FH))
                        ? Route.ANSWER_HERE_THEN_NOTICE
                        : Route.REQUEST;
            default -> Route.REQUEST;
        };
    }

    private HostNotices() {}
}
