package io.dpuoffload.fs.fuse;

import static io.dpuoffload.fs.fuse.RequestFrames.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.fuse.FuseOperation.*;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Requests on open files and directories, decoded from fixtures laid out as in fuse.h. */
class DecodeFilesTest {

    private static FuseOperation decode(ByteBuffer frame) throws FuseProtocolException {
        return FuseRequestDecoder.decode(frame, MinimalRequests.NEGOTIATED).operation();
    }

    private static void assertDecodes(RequestFrames frames, FuseOperation expected) throws FuseProtocolException {
        assertThat(decode(frames.build())).usingRecursiveComparison().isEqualTo(expected);
    }

    /** fuse_read_in with every field distinct. */
    private static RequestFrames readIn(FuseOpcode op) {
        return request(op).struct(40, s -> s.putLong(0, 21)
                .putLong(8, 1L << 33)
                .putInt(16, 131072)
                .putInt(20, FuseProtocol.READ_LOCKOWNER)
                .putLong(24, 0xabcdefL)
                .putInt(32, 02)
                .putInt(36, -1)); // padding
    }

    @Test
    void openAndOpendir() throws FuseProtocolException {
        assertDecodes(request(FuseOpcode.OPEN).struct(8, s -> s.putInt(0, 01002).putInt(4, 1)), new Open(01002, 1));
        assertDecodes(request(FuseOpcode.OPENDIR).struct(8, s -> s.putInt(0, 0200000)), new Opendir(0200000, 0));
    }

    @Test
    void readAndItsDirectoryForms() throws FuseProtocolException {
        assertDecodes(
                readIn(FuseOpcode.READ), new Read(21, 1L << 33, 131072, FuseProtocol.READ_LOCKOWNER, 0xabcdefL, 02));
        assertDecodes(readIn(FuseOpcode.READDIR), new Readdir(21, 1L << 33, 131072));
        assertDecodes(readIn(FuseOpcode.READDIRPLUS), new ReaddirPlus(21, 1L << 33, 131072));
    }

    @Test
    void writeDataIsAViewOfTheRequestNotACopy() throws FuseProtocolException {
        ByteBuffer frame = request(FuseOpcode.WRITE)
                .struct(40, s -> s.putLong(0, 5)
                        .putLong(8, 4096)
                        .putInt(16, 4)
                        .putInt(20, FuseProtocol.WRITE_CACHE)
                        .putLong(24, 77)
                        .putInt(32, 01))
                .bytes(new byte[] {10, 20, 30, 40})
                .build();

        Write w = (Write) decode(frame);

        assertThat(w.fh()).isEqualTo(5);
        assertThat(w.offset()).isEqualTo(4096);
        assertThat(w.size()).isEqualTo(4);
        assertThat(w.writeFlags()).isEqualTo(FuseProtocol.WRITE_CACHE);
        assertThat(w.lockOwner()).isEqualTo(77);
        assertThat(w.flags()).isEqualTo(01);
        assertThat(w.data().remaining()).isEqualTo(4);
        assertThat(w.data().get(0)).isEqualTo((byte) 10);
        frame.put(80, (byte) 99); // the first data byte, after header and fuse_write_in
        assertThat(w.data().get(0)).isEqualTo((byte) 99);
    }

    @Test
    void decodingLeavesTheCallersBufferAlone() throws FuseProtocolException {
        ByteBuffer frame = MinimalRequests.of(FuseOpcode.WRITE).build().position(0);
        int limit = frame.limit();

        decode(frame);

        assertThat(frame.position()).isZero();
        assertThat(frame.limit()).isEqualTo(limit);
    }

    @Test
    void aFrameMayStartInsideALargerBuffer() throws FuseProtocolException {
        ByteBuffer request = MinimalRequests.of(FuseOpcode.LOOKUP).build();
        ByteBuffer big = ByteBuffer.allocate(100);
        big.position(13).put(request).flip().position(13);

        assertThat(decode(big)).isInstanceOf(Lookup.class);
    }

    @Test
    void flushReleaseFsync() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.FLUSH)
                        .struct(24, s -> s.putLong(0, 8).putInt(8, -1).putLong(16, 0x55)),
                new Flush(8, 0x55));
        assertDecodes(
                request(FuseOpcode.RELEASE)
                        .struct(
                                24,
                                s -> s.putLong(0, 8).putInt(8, 02).putInt(12, 3).putLong(16, 0x66)),
                new Release(8, 02, FuseProtocol.RELEASE_FLUSH | FuseProtocol.RELEASE_FLOCK_UNLOCK, 0x66));
        assertDecodes(
                request(FuseOpcode.RELEASEDIR).struct(24, s -> s.putLong(0, 9).putInt(8, 0200000)),
                new Releasedir(9, 0200000, 0, 0));
        Fsync fsync = (Fsync) decode(request(FuseOpcode.FSYNC)
                .struct(16, s -> s.putLong(0, 8).putInt(8, 1))
                .build());
        assertThat(fsync).isEqualTo(new Fsync(8, 1));
        assertThat(fsync.datasync()).isTrue();
        assertDecodes(request(FuseOpcode.FSYNCDIR).struct(16, s -> s.putLong(0, 9)), new Fsyncdir(9, 0));
    }

    @Test
    void fallocateLseekBmap() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.FALLOCATE).struct(32, s -> s.putLong(0, 1)
                        .putLong(8, 4096)
                        .putLong(16, 8192)
                        .putInt(24, 3)),
                new Fallocate(1, 4096, 8192, 3));
        assertDecodes(
                request(FuseOpcode.LSEEK)
                        .struct(24, s -> s.putLong(0, 1).putLong(8, 100).putInt(16, 4)),
                new Lseek(1, 100, 4));
        assertDecodes(
                request(FuseOpcode.BMAP).struct(16, s -> s.putLong(0, 12345).putInt(8, 512)), new Bmap(12345, 512));
    }

    @Test
    void copyFileRangeBothSizes() throws FuseProtocolException {
        var fields = new long[] {1, 2, 3, 4, 5, 1L << 35, 0};
        assertDecodes(copyIn(FuseOpcode.COPY_FILE_RANGE, fields), new CopyFileRange(1, 2, 3, 4, 5, 1L << 35, 0));
        assertDecodes(copyIn(FuseOpcode.COPY_FILE_RANGE_64, fields), new CopyFileRange64(1, 2, 3, 4, 5, 1L << 35, 0));
    }

    private static RequestFrames copyIn(FuseOpcode op, long[] fields) {
        return request(op).struct(56, s -> {
            for (int i = 0; i < fields.length; i++) {
                s.putLong(8 * i, fields[i]);
            }
        });
    }

    @Test
    void pollCarriesKernelHandleAndEvents() throws FuseProtocolException {
        assertDecodes(
                request(FuseOpcode.POLL).struct(24, s -> s.putLong(0, 4)
                        .putLong(8, 0x77)
                        .putInt(16, 1)
                        .putInt(20, 0x5)),
                new Poll(4, 0x77, FuseProtocol.POLL_SCHEDULE_NOTIFY, 0x5));
    }

    @Test
    void ioctlKeepsItsInputData() throws FuseProtocolException {
        Ioctl ioctl = (Ioctl) decode(request(FuseOpcode.IOCTL)
                .struct(32, s -> s.putLong(0, 4)
                        .putInt(8, FuseProtocol.IOCTL_UNRESTRICTED)
                        .putInt(12, 0x5401)
                        .putLong(16, 0x7fff0000L)
                        .putInt(24, 3)
                        .putInt(28, 8))
                .bytes(new byte[] {1, 2, 3})
                .build());

        assertThat(ioctl.fh()).isEqualTo(4);
        assertThat(ioctl.flags()).isEqualTo(FuseProtocol.IOCTL_UNRESTRICTED);
        assertThat(ioctl.cmd()).isEqualTo(0x5401);
        assertThat(ioctl.arg()).isEqualTo(0x7fff0000L);
        assertThat(ioctl.inSize()).isEqualTo(3);
        assertThat(ioctl.outSize()).isEqualTo(8);
        assertThat(ioctl.inData()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    }

    @Test
    void locksOfAllThreeKinds() throws FuseProtocolException {
        FuseFileLock lock = new FuseFileLock(100, Long.MAX_VALUE, 1, 321);
        assertDecodes(lkIn(FuseOpcode.GETLK), new Getlk(6, 0x4242, lock, 0));
        assertDecodes(lkIn(FuseOpcode.SETLK), new Setlk(6, 0x4242, lock, 0));
        assertDecodes(lkIn(FuseOpcode.SETLKW), new Setlkw(6, 0x4242, lock, 0));
        assertDecodes(
                request(FuseOpcode.SETLK).struct(48, s -> s.putInt(32, 2).putInt(40, FuseProtocol.LK_FLOCK)),
                new Setlk(0, 0, new FuseFileLock(0, 0, 2, 0), FuseProtocol.LK_FLOCK));
    }

    private static RequestFrames lkIn(FuseOpcode op) {
        return request(op).struct(48, s -> s.putLong(0, 6)
                .putLong(8, 0x4242)
                .putLong(16, 100)
                .putLong(24, Long.MAX_VALUE)
                .putInt(32, 1)
                .putInt(36, 321));
    }
}
