package io.dpuoffload.fs.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The negotiation of wire features: what each side sends, and what an older peer sees. */
class FsWireTest {
    private static final ExportPolicy OFFERING = new ExportPolicy(3, false, false, true, 1000, PostOpAttrs.FEATURE);

    @Test
    void theHostsAttachReplyOffersItsFeatures() {
        ExportPolicy read = FsWire.attachPolicy(FsWire.attachReply(ByteBufAllocator.DEFAULT, OFFERING));

        assertThat(read).isEqualTo(OFFERING);
        assertThat(read.offers(PostOpAttrs.FEATURE)).isTrue();
    }

    @Test
    void anOlderHostsAttachReplyOffersNone() {
        ByteBuf older = Unpooled.buffer().writeInt(3).writeByte(4).writeInt(1000);

        ExportPolicy read = FsWire.attachPolicy(older);

        assertThat(read.features()).isZero();
        assertThat(read.offers(PostOpAttrs.FEATURE)).isFalse();
        assertThat(read.cached()).isTrue();
    }

    @Test
    void anOlderDpuReadsTheFieldsItKnowsOfANewerReply() {
        ByteBuf reply = FsWire.attachReply(ByteBufAllocator.DEFAULT, OFFERING);
        // What the DPU before features read: session, flags, TTL; the rest it never looked at.
        assertThat(reply.readInt()).isEqualTo(3);
        assertThat(reply.readUnsignedByte()).isEqualTo((short) 4);
        assertThat(reply.readUnsignedInt()).isEqualTo(1000);
    }

    @Test
    void anOpPrefixCarriesTheFeaturesAskedForBeforeTheGroups() {
        ByteBuf out = Unpooled.buffer();
        FsWire.writeOpPrefix(out, 3, 41, 0x1234L, new int[] {10, 20}, PostOpAttrs.FEATURE);
        out.writeByte(0x7f); // the FUSE request

        FsWire.OpPrefix prefix = FsWire.readOpPrefix(out);

        assertThat(prefix.features()).isEqualTo(PostOpAttrs.FEATURE);
        assertThat(prefix.groups()).containsExactly(10, 20);
        assertThat(prefix.session()).isEqualTo(3);
        assertThat(out.readByte()).isEqualTo((byte) 0x7f);
    }

    @Test
    void anOpPrefixAskingForNothingIsTheOneOlderHostsRead() {
        ByteBuf plain = Unpooled.buffer();
        FsWire.writeOpPrefix(plain, 3, 41, 0x1234L, new int[] {10});
        ByteBuf none = Unpooled.buffer();
        FsWire.writeOpPrefix(none, 3, 41, 0x1234L, new int[] {10}, 0);

        assertThat(none).isEqualTo(plain);
        assertThat(FsWire.readOpPrefix(plain).features()).isZero();
    }

    @Test
    void featuresAnnouncedButMissingAreRefused() {
        ByteBuf out = Unpooled.buffer().writeInt(3).writeShort(41).writeLong(0).writeShort(FsWire.FEATURES_FOLLOW);

        assertThatThrownBy(() -> FsWire.readOpPrefix(out)).isInstanceOf(IllegalArgumentException.class);
    }
}
