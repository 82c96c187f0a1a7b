package io.dpuoffload.fs.fuse;

import static io.dpuoffload.fs.fuse.RequestFrames.request;
import static io.dpuoffload.fs.fuse.RequestFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.fs.fuse.FuseOperation.*;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * INIT, extended attributes (whose layout depends on what INIT agreed), connection-level requests,
 * unknown opcodes, and headers that disagree with their frame.
 */
class DecodeSessionTest {

    private static final FuseNegotiated WITHOUT_SETXATTR_EXT = new FuseNegotiated(45, FuseProtocol.INIT_EXT);

    private static FuseOperation decode(RequestFrames frames) throws FuseProtocolException {
        return FuseRequestDecoder.decode(frames.build(), MinimalRequests.NEGOTIATED)
                .operation();
    }

    private static void assertDecodes(RequestFrames frames, FuseOperation expected) throws FuseProtocolException {
        assertThat(decode(frames)).usingRecursiveComparison().isEqualTo(expected);
    }

    @Test
    void initOfA745Kernel() throws FuseProtocolException {
        int flags = (int) (FuseProtocol.ASYNC_READ | FuseProtocol.MAX_PAGES | FuseProtocol.INIT_EXT);
        int flags2 = (int) (FuseProtocol.DIRECT_IO_ALLOW_MMAP >>> 32);
        Init init = (Init) decode(request(FuseOpcode.INIT).nodeid(0).struct(64, s -> s.putInt(0, 7)
                .putInt(4, 45)
                .putInt(8, 131072)
                .putInt(12, flags)
                .putInt(16, flags2)));

        assertThat(init).isEqualTo(new Init(7, 45, 131072, flags, flags2));
        assertThat(init.allFlags())
                .isEqualTo(FuseProtocol.ASYNC_READ
                        | FuseProtocol.MAX_PAGES
                        | FuseProtocol.INIT_EXT
                        | FuseProtocol.DIRECT_IO_ALLOW_MMAP);
    }

    @Test
    void initBefore736HasNoFlags2() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.INIT).struct(16, s -> s.putInt(0, 7)
                        .putInt(4, 34)
                        .putInt(8, 65536)
                        .putInt(12, 1)),
                new Init(7, 34, 65536, 1, 0));
    }

    @Test
    void initFlags2IsIgnoredWithoutInitExt() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.INIT)
                        .struct(
                                64,
                                s -> s.putInt(0, 7).putInt(4, 45).putInt(12, 1).putInt(16, -1)),
                new Init(7, 45, 0, 1, 0));
    }

    @Test
    void initOfAnotherMajorMaySendOnlyTheVersion() throws FuseProtocolException {
        assertDecodes(request(FuseOpcode.INIT).struct(8, s -> s.putInt(0, 8).putInt(4, 1)), new Init(8, 1, 0, 0, 0));
    }

    @Test
    void initOfANewerKernelMayBeLonger() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.INIT)
                        .struct(128, s -> s.putInt(0, 7).putInt(4, 99).putInt(12, 1)),
                new Init(7, 99, 0, 1, 0));
    }

    @Test
    void setxattrWithTheExtendedStructure() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.SETXATTR)
                        .struct(16, s -> s.putInt(0, 3).putInt(4, 1).putInt(8, FuseProtocol.SETXATTR_ACL_KILL_SGID))
                        .string("user.k")
                        .bytes(new byte[] {'v', 0, 'w'}),
                new Setxattr(3, 1, FuseProtocol.SETXATTR_ACL_KILL_SGID, utf8("user.k"), new byte[] {'v', 0, 'w'}));
    }

    @Test
    void setxattrWithoutSetxattrExtHasTheEightByteStructure() throws FuseProtocolException {
        ByteBuffer frame = request(FuseOpcode.SETXATTR)
                .struct(8, s -> s.putInt(0, 2).putInt(4, 2))
                .string("user.k")
                .bytes(new byte[] {'h', 'i'})
                .build();

        assertThat(FuseRequestDecoder.decode(frame, WITHOUT_SETXATTR_EXT).operation())
                .usingRecursiveComparison()
                .isEqualTo(new Setxattr(2, 2, 0, utf8("user.k"), utf8("hi")));
        // The same bytes read as the 16-byte structure put the name in the wrong place.
        assertThatThrownBy(() -> FuseRequestDecoder.decode(frame, MinimalRequests.NEGOTIATED))
                .isInstanceOf(FuseProtocolException.class);
    }

    @Test
    void getListRemoveXattr() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.GETXATTR).struct(8, s -> s.putInt(0, 256)).string("security.selinux"),
                new Getxattr(256, utf8("security.selinux")));
        assertDecodes(request(FuseOpcode.LISTXATTR).struct(8, s -> s.putInt(0, 0)), new Listxattr(0));
        assertDecodes(request(FuseOpcode.REMOVEXATTR).string("user.k"), new Removexattr(utf8("user.k")));
    }

    @Test
    void connectionLevelRequests() throws FuseProtocolException {
        assertDecodes(request(FuseOpcode.STATFS), new Statfs());
        assertDecodes(request(FuseOpcode.SYNCFS).struct(8, s -> {}), new Syncfs());
        assertDecodes(request(FuseOpcode.DESTROY), new Destroy());
        assertDecodes(request(FuseOpcode.INTERRUPT).unique(43).struct(8, s -> s.putLong(0, 42)), new Interrupt(42));
    }

    @Test
    void notifyReplyCarriesRetrievedData() throws FuseProtocolException {
        NotifyReply reply = (NotifyReply) decode(request(FuseOpcode.NOTIFY_REPLY)
                .struct(40, s -> s.putLong(8, 8192).putInt(16, 3))
                .bytes(new byte[] {4, 5, 6}));

        assertThat(reply.offset()).isEqualTo(8192);
        assertThat(reply.size()).isEqualTo(3);
        assertThat(reply.data()).isEqualTo(ByteBuffer.wrap(new byte[] {4, 5, 6}));
    }

    @Test
    void daxMappings() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.SETUPMAPPING).struct(40, s -> s.putLong(0, 1)
                        .putLong(8, 2 << 20)
                        .putLong(16, 2 << 20)
                        .putLong(24, 3)
                        .putLong(32, 4 << 20)),
                new SetupMapping(1, 2 << 20, 2 << 20, 3, 4 << 20));
        assertDecodes(
                request(FuseOpcode.REMOVEMAPPING)
                        .struct(4, s -> s.putInt(0, 2))
                        .struct(16, s -> s.putLong(0, 0).putLong(8, 2 << 20))
                        .struct(16, s -> s.putLong(0, 2 << 20).putLong(8, 2 << 20)),
                new RemoveMapping(List.of(new MappingRange(0, 2 << 20), new MappingRange(2 << 20, 2 << 20))));
    }

    @Test
    void unknownOpcodesKeepTheirCode() throws FuseProtocolException {
        for (int code : new int[] {0, 7, 19, 54, 4096, -3}) {
            FuseRequest r = FuseRequestDecoder.decode(
                    request(code).bytes(new byte[] {1, 2, 3}).build(), MinimalRequests.NEGOTIATED);
            assertThat(r.operation()).isEqualTo(new Unknown(code));
            assertThat(r.operation().opcode()).isEqualTo(FuseOpcode.UNKNOWN);
            assertThat(r.header().kind()).isEqualTo(FuseOpcode.UNKNOWN);
        }
    }

    @Test
    void headerLengthMustBeTheFramesLength() {
        ByteBuffer longer = request(FuseOpcode.LOOKUP).string("a").len(43).build();
        ByteBuffer shorter = request(FuseOpcode.LOOKUP).string("a").len(41).build();
        ByteBuffer negative = request(FuseOpcode.LOOKUP).string("a").len(-42).build();

        for (ByteBuffer frame : List.of(longer, shorter, negative)) {
            assertThatThrownBy(() -> FuseRequestDecoder.decode(frame, MinimalRequests.NEGOTIATED))
                    .isInstanceOf(FuseProtocolException.class)
                    .hasMessageContaining("length");
        }
    }

    @Test
    void shortHeader() {
        for (int n = 0; n < FuseProtocol.IN_HEADER_SIZE; n++) {
            ByteBuffer frame = ByteBuffer.allocate(n);
            assertThatThrownBy(() -> FuseRequestDecoder.decode(frame, MinimalRequests.NEGOTIATED))
                    .isInstanceOf(FuseProtocolException.class)
                    .hasMessageContaining("header");
        }
    }

    @Test
    void byteSwappedInitIsRecognised() {
        ByteBuffer frame =
                request(FuseOpcode.INIT.code() << 24).struct(64, s -> {}).build();

        assertThatThrownBy(() -> FuseRequestDecoder.decode(frame, FuseNegotiated.BEFORE_INIT))
                .isInstanceOf(FuseProtocolException.class)
                .hasMessageContaining("byte order");
    }

    @Test
    void extensionsMustFitTheFrame() {
        ByteBuffer overrun = request(FuseOpcode.LOOKUP).string("a").build();
        overrun.putShort(36, (short) 1); // 8 bytes of extensions in a frame with 2 bytes after the header

        assertThatThrownBy(() -> FuseRequestDecoder.decode(overrun, MinimalRequests.NEGOTIATED))
                .isInstanceOf(FuseProtocolException.class)
                .hasMessageContaining("extensions");
    }

    @Test
    void extensionSizesMustBeWholeAndInside() {
        for (int badSize : new int[] {0, 4, 12, 24, -8}) {
            ByteBuffer frame = request(FuseOpcode.MKDIR)
                    .struct(8, s -> {})
                    .string("d")
                    .extension(FuseProtocol.EXT_GROUPS, 8, g -> g.putInt(0, 1))
                    .build();
            int extStart = frame.limit() - 16;
            frame.putInt(extStart, badSize);
            assertThatThrownBy(() -> FuseRequestDecoder.decode(frame, MinimalRequests.NEGOTIATED))
                    .as("extension size %d", badSize)
                    .isInstanceOf(FuseProtocolException.class);
        }
    }

    @Test
    void groupCountMustFitItsExtension() {
        ByteBuffer frame = request(FuseOpcode.MKDIR)
                .struct(8, s -> {})
                .string("d")
                .extension(FuseProtocol.EXT_GROUPS, 8, g -> g.putInt(0, 2).putInt(4, 5))
                .build();

        assertThatThrownBy(() -> FuseRequestDecoder.decode(frame, MinimalRequests.NEGOTIATED))
                .isInstanceOf(FuseProtocolException.class)
                .hasMessageContaining("groups");
    }
}
