package io.dpuoffload.fs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseInitOptions;
import io.dpuoffload.fs.fuse.FuseNegotiated;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.fs.fuse.FuseRequestDecoder;
import io.dpuoffload.linux.Errno;
import org.junit.jupiter.api.Test;

/** An open the host completed after its caller was told EINTR is undone with a RELEASE of its handle. */
class InterruptsTest {
    private static final FuseInHeader OPEN =
            new FuseInHeader(48, FuseOpcode.OPEN.code(), 0x42, 0x1_0000_0007L, 1000, 1001, 4242, 0);

    @Test
    void aLateSuccessfulOpenIsReleasedAsTheOpenerForTheSameNode() throws Exception {
        var release = Interrupts.releaseOfLateOpen(OPEN, FuseReplies.open(0x42, 77, 0))
                .orElseThrow();
        var request = FuseRequestDecoder.decode(
                release, new FuseNegotiated(FuseProtocol.KERNEL_MINOR_VERSION, FuseInitOptions.DEFAULT_FLAGS));
        assertThat(request.header().kind()).isEqualTo(FuseOpcode.RELEASE);
        assertThat(request.header().nodeid()).isEqualTo(OPEN.nodeid());
        assertThat(request.header().uid()).isEqualTo(1000);
        assertThat(request.header().gid()).isEqualTo(1001);
        assertThat(request.operation()).isEqualTo(new FuseOperation.Release(77, 0, 0, 0));
    }

    @Test
    void aFailedOpenOrAnyOtherCallNeedsNothingUndone() {
        assertThat(Interrupts.releaseOfLateOpen(OPEN, FuseReplies.error(0x42, Errno.EINTR)))
                .isEmpty();
        FuseInHeader read = new FuseInHeader(80, FuseOpcode.READ.code(), 0x43, 7, 1000, 1001, 4242, 0);
        assertThat(Interrupts.releaseOfLateOpen(read, FuseReplies.open(0x43, 77, 0)))
                .isEmpty();
    }
}
