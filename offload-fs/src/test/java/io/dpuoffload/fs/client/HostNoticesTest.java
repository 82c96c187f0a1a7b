package io.dpuoffload.fs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.client.HostNotices.Route;
import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseReplies;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Which requests the host gets as notices, and which of those the DPU answers the kernel for itself. */
class HostNoticesTest {
    private final UnboundedWaits blocking = new UnboundedWaits();

    @Test
    void forgetsAreNoticesTheKernelExpectsNoReplyTo() {
        assertThat(route(FuseOpcode.FORGET, 0)).isEqualTo(Route.NOTICE);
        assertThat(route(FuseOpcode.BATCH_FORGET, 0)).isEqualTo(Route.NOTICE);
    }

    @Test
    void releasesOfFilesAndDirectoriesAreAnsweredOnTheDpu() {
        assertThat(route(FuseOpcode.RELEASE, 77)).isEqualTo(Route.ANSWER_HERE_THEN_NOTICE);
        assertThat(route(FuseOpcode.RELEASEDIR, 78)).isEqualTo(Route.ANSWER_HERE_THEN_NOTICE);
    }

    @Test
    void theReleaseOfASharedFifosEndStaysARequest() {
        FuseInHeader open = new FuseInHeader(48, FuseOpcode.OPEN.code(), 5, 7, 0, 0, 1, 0);
        blocking.observe(open, request(FuseOpcode.OPEN, 0), FuseReplies.open(5, 77, FuseProtocol.FOPEN_STREAM));

        assertThat(route(FuseOpcode.RELEASE, 77)).isEqualTo(Route.REQUEST);
        assertThat(route(FuseOpcode.RELEASE, 78)).isEqualTo(Route.ANSWER_HERE_THEN_NOTICE);
    }

    @Test
    void everythingElseIsARequest() {
        assertThat(route(FuseOpcode.LOOKUP, 0)).isEqualTo(Route.REQUEST);
        assertThat(route(FuseOpcode.UNLINK, 0)).isEqualTo(Route.REQUEST);
        assertThat(route(FuseOpcode.FSYNC, 77)).isEqualTo(Route.REQUEST);
    }

    private Route route(FuseOpcode kind, long fh) {
        ByteBuffer request = request(kind, fh);
        return HostNotices.route(new FuseInHeader(request.limit(), kind.code(), 9, 7, 0, 0, 1, 0), request, blocking);
    }

    /** A request of {@code kind} whose body starts with the handle {@code fh} (as fuse_release_in does). */
    private static ByteBuffer request(FuseOpcode kind, long fh) {
        int length = FuseProtocol.IN_HEADER_SIZE + 24;
        ByteBuffer request = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        request.putInt(0, length).putInt(4, kind.code()).putLong(FuseProtocol.IN_HEADER_SIZE, fh);
        return request;
    }
}
