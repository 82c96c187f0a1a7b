package io.dpuoffload.fs.fuse;

import static io.dpuoffload.fs.fuse.FuseProtocol.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.fs.fuse.FuseInitNegotiation.Accepted;
import io.dpuoffload.fs.fuse.FuseInitNegotiation.OtherMajor;
import io.dpuoffload.fs.fuse.FuseInitNegotiation.Refused;
import io.dpuoffload.fs.fuse.FuseOperation.Init;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** INIT: version rules of fuse.h, flags as the intersection of offer and wish, and the reply sent. */
class InitNegotiationTest {

    /** What a 7.45 kernel offers (flags2 holds bits 32..63). */
    private static final long KERNEL_745 = ASYNC_READ
            | POSIX_LOCKS
            | ATOMIC_O_TRUNC
            | EXPORT_SUPPORT
            | BIG_WRITES
            | DONT_MASK
            | SPLICE_WRITE
            | FLOCK_LOCKS
            | HAS_IOCTL_DIR
            | AUTO_INVAL_DATA
            | DO_READDIRPLUS
            | READDIRPLUS_AUTO
            | ASYNC_DIO
            | WRITEBACK_CACHE
            | NO_OPEN_SUPPORT
            | PARALLEL_DIROPS
            | HANDLE_KILLPRIV
            | HANDLE_KILLPRIV_V2
            | POSIX_ACL
            | ABORT_ERROR
            | MAX_PAGES
            | CACHE_SYMLINKS
            | NO_OPENDIR_SUPPORT
            | EXPLICIT_INVAL_DATA
            | SETXATTR_EXT
            | INIT_EXT
            | SECURITY_CTX
            | CREATE_SUPP_GROUP
            | HAS_EXPIRE_ONLY
            | DIRECT_IO_ALLOW_MMAP
            | HAS_RESEND
            | REQUEST_TIMEOUT;

    private static Init offer(int major, int minor, int maxReadahead, long flags) {
        return new Init(major, minor, maxReadahead, (int) flags, (int) (flags >>> 32));
    }

    @Test
    void aCurrentKernelGetsTheDefaultsItOffers() {
        Accepted a =
                (Accepted) FuseInitNegotiation.negotiate(offer(7, 45, 131072, KERNEL_745), FuseInitOptions.defaults());

        assertThat(a.negotiated()).isEqualTo(new FuseNegotiated(45, FuseInitOptions.DEFAULT_FLAGS));
        assertThat(a.negotiated().has(SETXATTR_EXT)).isTrue();
        assertThat(a.negotiated().has(WRITEBACK_CACHE)).isFalse();
        FuseInitOut out = a.out();
        assertThat(out.major()).isEqualTo(7);
        assertThat(out.minor()).isEqualTo(45);
        assertThat(out.maxReadahead()).as("the kernel's is smaller").isEqualTo(131072);
        assertThat(out.maxWrite()).isEqualTo(1 << 20);
        assertThat(out.maxPages()).isEqualTo(256);
        assertThat(out.timeGran()).isEqualTo(1);
        assertThat(out.requestTimeout()).isZero();

        ByteBuffer reply = a.reply(5).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(reply.getInt(0)).isEqualTo(80);
        assertThat(reply.getLong(8)).isEqualTo(5);
        assertThat(reply.getInt(16 + 32)).as("flags2").isEqualTo((int) (DIRECT_IO_ALLOW_MMAP >>> 32));
    }

    @Test
    void onlyFlagsTheKernelOffersAreAgreed() {
        Accepted a = (Accepted) FuseInitNegotiation.negotiate(
                offer(7, 45, 1 << 30, ASYNC_READ | WRITEBACK_CACHE | INIT_EXT), FuseInitOptions.defaults());

        assertThat(a.negotiated().flags()).isEqualTo(ASYNC_READ | INIT_EXT);
        assertThat(a.out().maxPages()).as("no MAX_PAGES agreed").isZero();
        assertThat(a.out().maxReadahead()).as("ours is smaller").isEqualTo(1 << 20);
    }

    @Test
    void anOlderKernelNegotiatesDownAndGetsNoFlags2() {
        long offered = KERNEL_745 & 0x3FFF_FFFFL; // a 7.34 kernel: no INIT_EXT, no flags2
        Accepted a =
                (Accepted) FuseInitNegotiation.negotiate(offer(7, 34, 131072, offered), FuseInitOptions.defaults());

        assertThat(a.negotiated().minor()).isEqualTo(34);
        assertThat(a.negotiated().flags() >>> 32).isZero();
        assertThat(a.out().minor()).as("we still say what we speak").isEqualTo(45);
    }

    @Test
    void highFlagsWithoutInitExtAreDropped() {
        Init odd = new Init(7, 45, 0, (int) ASYNC_READ, (int) (DIRECT_IO_ALLOW_MMAP >>> 32));
        Accepted a = (Accepted) FuseInitNegotiation.negotiate(odd, FuseInitOptions.defaults());

        assertThat(a.negotiated().flags()).isEqualTo(ASYNC_READ);
        a.reply(1); // encodes: no high bits without INIT_EXT
    }

    @Test
    void aNewerMajorGetsOurVersionAndNothingElse() {
        FuseInitNegotiation n = FuseInitNegotiation.negotiate(offer(8, 0, 0, 0), FuseInitOptions.defaults());

        assertThat(n).isEqualTo(new OtherMajor(8));
        ByteBuffer reply = n.reply(3).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(reply.getInt(4)).as("error").isZero();
        assertThat(reply.getInt(16)).isEqualTo(7);
        assertThat(reply.getInt(20)).isEqualTo(45);
        for (int at = 24; at < 80; at += 4) {
            assertThat(reply.getInt(at)).isZero();
        }
    }

    @Test
    void olderProtocolsAreRefusedWithEproto() {
        for (Init old : new Init[] {offer(6, 99, 0, 0), offer(7, 30, 0, 0), offer(7, -1, 0, 0)}) {
            FuseInitNegotiation n = FuseInitNegotiation.negotiate(old, FuseInitOptions.defaults());
            assertThat(n).isInstanceOf(Refused.class);
            assertThat(n.reply(3).order(ByteOrder.LITTLE_ENDIAN).getInt(4)).isEqualTo(-71);
        }
        assertThat(FuseInitNegotiation.negotiate(offer(7, 31, 0, 0), FuseInitOptions.defaults()))
                .isInstanceOf(Accepted.class);
    }

    @Test
    void optionsAreCheckedAtConstruction() {
        FuseInitOptions d = FuseInitOptions.defaults();
        assertThatThrownBy(() -> new FuseInitOptions(0, 1000, 0, 1, 1, 1, 4096)).hasMessageContaining("maxWrite");
        assertThatThrownBy(() -> new FuseInitOptions(0, 4096, 0, 1, 1, 1, 5000)).hasMessageContaining("pageSize");
        assertThatThrownBy(() -> new FuseInitOptions(0, 4096, 0, 10, 11, 1, 4096))
                .hasMessageContaining("congestionThreshold");
        assertThatThrownBy(() -> new FuseInitOptions(0, 4096, 0, 1 << 16, 1, 1, 4096))
                .hasMessageContaining("maxBackground");
        assertThatThrownBy(() -> new FuseInitOptions(0, Integer.MAX_VALUE, 0, 1, 1, 1, 4096))
                .hasMessageContaining("pages");
        assertThat(d.withFlags(ASYNC_READ).wantedFlags()).isEqualTo(ASYNC_READ);
        assertThat(new FuseInitOptions(0, 1 << 20, 0, 1, 1, 1, 65536).maxPages())
                .isEqualTo(16);
    }

    @Test
    void readBufferFitsTheLargestWrite() {
        assertThat(FuseProtocol.readBufferSize(1 << 20)).isEqualTo(40 + 40 + (1 << 20));
        assertThat(FuseProtocol.readBufferSize(4096)).isEqualTo(FuseProtocol.MIN_READ_BUFFER);
    }
}
