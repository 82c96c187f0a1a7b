package io.dpuoffload.fs.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.fs.fuse.FuseAttr;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseProtocolException;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.linux.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The directories' attributes behind a FUSE reply: appended by the host, taken apart by the DPU. */
class PostOpAttrsTest {
    @Test
    void aRenamesTwoDirectoriesComeBackBehindTheReplyTheKernelGets() throws Exception {
        ByteBuffer fuseReply = FuseReplies.ok(42);
        var from = directory(0x10, 1_700_000_000L, 3);
        var to = directory(0x11, 1_700_000_001L, 4);
        ByteBuf onWire = Unpooled.buffer().writeBytes(fuseReply.duplicate());
        PostOpAttrs.append(onWire, List.of(from, to));

        PostOpAttrs.Split split = PostOpAttrs.split(onWire.nioBuffer());

        assertThat(split.fuseReply()).isEqualTo(fuseReply);
        assertThat(split.directories())
                .extracting(PostOpAttrs.Directory::nodeid)
                .containsExactly(0x10L, 0x11L);
        assertThat(split.directories().get(1).attrOut()).isEqualTo(to.attrOut());
    }

    @Test
    void aReplyWithNothingBehindItIsTheWholeReply() throws Exception {
        ByteBuffer error = FuseReplies.error(7, Errno.EEXIST);

        PostOpAttrs.Split split = PostOpAttrs.split(error);

        assertThat(split.fuseReply()).isEqualTo(error);
        assertThat(split.directories()).isEmpty();
    }

    @Test
    void anythingElseBehindTheReplyIsRefused() {
        ByteBuf onWire = Unpooled.buffer().writeBytes(FuseReplies.ok(42));
        PostOpAttrs.append(onWire, List.of(directory(0x10, 1, 2)));
        onWire.writeByte(0);
        assertThatThrownBy(() -> PostOpAttrs.split(onWire.nioBuffer())).isInstanceOf(FuseProtocolException.class);

        ByteBuf tooMany = Unpooled.buffer().writeBytes(FuseReplies.ok(42)).writeShortLE(3);
        assertThatThrownBy(() -> PostOpAttrs.split(tooMany.nioBuffer())).isInstanceOf(FuseProtocolException.class);

        ByteBuffer cut = FuseReplies.ok(42).limit(FuseProtocol.OUT_HEADER_SIZE - 1);
        assertThatThrownBy(() -> PostOpAttrs.split(cut)).isInstanceOf(FuseProtocolException.class);
    }

    /** A directory's attributes as the host sends them: a GETATTR reply without its header. */
    static PostOpAttrs.Directory directory(long nodeid, long mtime, int nlink) {
        var attr = new FuseAttr(nodeid + 100, 4096, 8, mtime, mtime, mtime, 0, 0, 0, 040755, nlink, 0, 0, 0, 4096, 0);
        ByteBuffer reply = FuseReplies.attr(0, 1, 0, attr).order(ByteOrder.LITTLE_ENDIAN);
        return new PostOpAttrs.Directory(nodeid, reply.slice(FuseProtocol.OUT_HEADER_SIZE, FuseProtocol.ATTR_OUT_SIZE));
    }
}
