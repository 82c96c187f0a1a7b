package io.dpuoffload.fs.fuse;

import static io.dpuoffload.fs.fuse.RequestFrames.request;
import static io.dpuoffload.fs.fuse.RequestFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.fuse.FuseOperation.*;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Requests about names and inodes, decoded from fixtures laid out as in fuse.h. */
class DecodeNamesTest {

    private static FuseOperation decode(RequestFrames frames) throws FuseProtocolException {
        return FuseRequestDecoder.decode(frames.build(), MinimalRequests.NEGOTIATED)
                .operation();
    }

    private static void assertDecodes(RequestFrames frames, FuseOperation expected) throws FuseProtocolException {
        assertThat(decode(frames)).usingRecursiveComparison().isEqualTo(expected);
    }

    @Test
    void headerFieldsComeFromTheirOffsets() throws FuseProtocolException {
        FuseRequest r = FuseRequestDecoder.decode(
                request(FuseOpcode.LOOKUP)
                        .unique(0x8000_0000_0000_0042L)
                        .nodeid(77)
                        .string("x")
                        .build(),
                MinimalRequests.NEGOTIATED);

        FuseInHeader h = r.header();
        assertThat(h.len()).isEqualTo(42);
        assertThat(h.opcode()).isEqualTo(1);
        assertThat(h.kind()).isEqualTo(FuseOpcode.LOOKUP);
        assertThat(h.unique()).isEqualTo(0x8000_0000_0000_0042L);
        assertThat(h.resend()).isTrue();
        assertThat(h.nodeid()).isEqualTo(77);
        assertThat(r.nodeid()).isEqualTo(77);
        assertThat(h.uid()).isEqualTo(RequestFrames.UID);
        assertThat(h.gid()).isEqualTo(RequestFrames.GID);
        assertThat(h.pid()).isEqualTo(RequestFrames.PID);
        assertThat(h.totalExtlen()).isZero();
        assertThat(r.supplementaryGroups()).isEmpty();
    }

    @Test
    void lookupNameHasNoNul() throws FuseProtocolException {
        assertDecodes(request(FuseOpcode.LOOKUP).string("file.txt"), new Lookup(utf8("file.txt")));
    }

    @Test
    void namesAreBytesNotText() throws FuseProtocolException {
        byte[] latin1 = {(byte) 0xe9, 't', (byte) 0xe9};
        assertDecodes(request(FuseOpcode.UNLINK).bytes(latin1).bytes(new byte[] {0}), new Unlink(latin1));
    }

    @Test
    void forgetAndBatchForget() throws FuseProtocolException {
        assertDecodes(request(FuseOpcode.FORGET).struct(8, s -> s.putLong(0, 3)), new Forget(3));
        assertDecodes(
                request(FuseOpcode.BATCH_FORGET)
                        .nodeid(0)
                        .struct(8, s -> s.putInt(0, 2).putInt(4, 0xdead))
                        .struct(16, s -> s.putLong(0, 10).putLong(8, 1))
                        .struct(16, s -> s.putLong(0, 11).putLong(8, 5)),
                new BatchForget(List.of(new ForgetOne(10, 1), new ForgetOne(11, 5))));
        assertDecodes(request(FuseOpcode.BATCH_FORGET).struct(8, s -> {}), new BatchForget(List.of()));
    }

    @Test
    void getattrAndStatx() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.GETATTR)
                        .struct(16, s -> s.putInt(0, FuseProtocol.GETATTR_FH).putLong(8, 99)),
                new Getattr(FuseProtocol.GETATTR_FH, 99));
        assertDecodes(
                request(FuseOpcode.STATX).struct(24, s -> s.putInt(0, 1)
                        .putLong(8, 5)
                        .putInt(16, 0x800)
                        .putInt(20, 0x7ff)),
                new Statx(1, 5, 0x800, 0x7ff));
    }

    @Test
    void setattrEveryField() throws FuseProtocolException {
        int valid = FuseProtocol.FATTR_MODE | FuseProtocol.FATTR_SIZE | FuseProtocol.FATTR_MTIME;
        assertDecodes(
                request(FuseOpcode.SETATTR).struct(88, s -> s.putInt(0, valid)
                        .putInt(4, -1) // padding: ignored
                        .putLong(8, 11)
                        .putLong(16, 1L << 40)
                        .putLong(24, 13)
                        .putLong(32, 1_700_000_001)
                        .putLong(40, 1_700_000_002)
                        .putLong(48, 1_700_000_003)
                        .putInt(56, 999_999_999)
                        .putInt(60, 2)
                        .putInt(64, 3)
                        .putInt(68, 0100600)
                        .putInt(72, -1) // unused4
                        .putInt(76, 1234)
                        .putInt(80, 5678)
                        .putInt(84, -1)), // unused5
                new Setattr(
                        valid,
                        11,
                        1L << 40,
                        13,
                        1_700_000_001,
                        1_700_000_002,
                        1_700_000_003,
                        999_999_999,
                        2,
                        3,
                        0100600,
                        1234,
                        5678));
    }

    @Test
    void accessAndReadlink() throws FuseProtocolException {
        assertDecodes(request(FuseOpcode.ACCESS).struct(8, s -> s.putInt(0, 6)), new Access(6));
        assertDecodes(request(FuseOpcode.READLINK), new Readlink());
    }

    @Test
    void symlinkNameComesBeforeTarget() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.SYMLINK).string("link").string("/etc/hostname"),
                new Symlink(utf8("link"), utf8("/etc/hostname")));
    }

    @Test
    void mknodMkdir() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.MKNOD)
                        .struct(16, s -> s.putInt(0, 0010640).putInt(4, 0x0801).putInt(8, 022))
                        .string("fifo"),
                new Mknod(0010640, 0x0801, 022, utf8("fifo")));
        assertDecodes(
                request(FuseOpcode.MKDIR)
                        .struct(8, s -> s.putInt(0, 040755).putInt(4, 077))
                        .string("d"),
                new Mkdir(040755, 077, utf8("d")));
        assertDecodes(request(FuseOpcode.RMDIR).string("d"), new Rmdir(utf8("d")));
    }

    @Test
    void renameRename2Link() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.RENAME)
                        .struct(8, s -> s.putLong(0, 12))
                        .string("old")
                        .string("new"),
                new Rename(12, utf8("old"), utf8("new")));
        assertDecodes(
                request(FuseOpcode.RENAME2)
                        .struct(16, s -> s.putLong(0, 12).putInt(8, 2))
                        .string("a")
                        .string("b"),
                new Rename2(12, 2, utf8("a"), utf8("b")));
        assertDecodes(
                request(FuseOpcode.LINK).struct(8, s -> s.putLong(0, 33)).string("hard"), new Link(33, utf8("hard")));
    }

    @Test
    void createAndTmpfile() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.CREATE)
                        .struct(16, s -> s.putInt(0, 0101)
                                .putInt(4, 0100644)
                                .putInt(8, 022)
                                .putInt(12, 1))
                        .string("new"),
                new Create(0101, 0100644, 022, FuseProtocol.OPEN_KILL_SUIDGID, utf8("new")));
        assertDecodes(
                request(FuseOpcode.TMPFILE)
                        .struct(16, s -> s.putInt(0, 2).putInt(4, 0100600))
                        .string("/"),
                new Tmpfile(2, 0100600, 0, 0, utf8("/")));
    }

    @Test
    void supplementaryGroupExtensionAfterCreateArguments() throws FuseProtocolException {
        FuseRequest r = FuseRequestDecoder.decode(
                request(FuseOpcode.MKDIR)
                        .struct(8, s -> s.putInt(0, 040755))
                        .string("d")
                        .extension(
                                FuseProtocol.EXT_GROUPS, 8, g -> g.putInt(0, 1).putInt(4, 3000))
                        .build(),
                MinimalRequests.NEGOTIATED);

        assertThat(r.header().totalExtlen()).isEqualTo(2);
        assertThat(r.operation()).usingRecursiveComparison().isEqualTo(new Mkdir(040755, 0, utf8("d")));
        assertThat(r.supplementaryGroups()).containsExactly(3000);
    }

    @Test
    void securityContextAndUnknownExtensionsAreSkipped() throws FuseProtocolException {
        FuseRequest r = FuseRequestDecoder.decode(
                request(FuseOpcode.SYMLINK)
                        .string("l")
                        .string("t")
                        .extension(1, 20, s -> s.putInt(0, 12))
                        .extension(99, 0, s -> {})
                        .build(),
                MinimalRequests.NEGOTIATED);

        assertThat(r.operation()).isInstanceOf(Symlink.class);
        assertThat(r.supplementaryGroups()).isEmpty();
    }
}
