package io.dpuoffload.fs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Each reply encoder, read back field by field at the offsets of fuse.h. */
class RepliesTest {

    private static final long UNIQUE = 0x0a0b_0c0d_0e0f_1011L;

    static final FuseAttr ATTR = new FuseAttr(
            0x1001,
            0x2002,
            0x3003,
            1_700_000_001,
            1_700_000_002,
            1_700_000_003,
            11,
            22,
            33,
            0100644,
            2,
            1000,
            1001,
            0x0801,
            4096,
            FuseProtocol.ATTR_SUBMOUNT);

    static final FuseEntry ENTRY = new FuseEntry(42, 7, 5, 500, 6, 600, ATTR);

    /** Reads the out header and checks it; returns the reply little-endian, for absolute reads. */
    static ByteBuffer checkHeader(ByteBuffer reply, int payload, int error) {
        assertThat(reply.position()).isZero();
        assertThat(reply.remaining()).isEqualTo(16 + payload);
        ByteBuffer b = reply.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).as("len").isEqualTo(16 + payload);
        assertThat(b.getInt(4)).as("error").isEqualTo(error);
        assertThat(b.getLong(8)).as("unique").isEqualTo(UNIQUE);
        return b;
    }

    /** fuse_attr at {@code at}. */
    static void checkAttr(ByteBuffer b, int at) {
        assertThat(b.getLong(at)).as("ino").isEqualTo(0x1001);
        assertThat(b.getLong(at + 8)).as("size").isEqualTo(0x2002);
        assertThat(b.getLong(at + 16)).as("blocks").isEqualTo(0x3003);
        assertThat(b.getLong(at + 24)).as("atime").isEqualTo(1_700_000_001);
        assertThat(b.getLong(at + 32)).as("mtime").isEqualTo(1_700_000_002);
        assertThat(b.getLong(at + 40)).as("ctime").isEqualTo(1_700_000_003);
        assertThat(b.getInt(at + 48)).as("atimensec").isEqualTo(11);
        assertThat(b.getInt(at + 52)).as("mtimensec").isEqualTo(22);
        assertThat(b.getInt(at + 56)).as("ctimensec").isEqualTo(33);
        assertThat(b.getInt(at + 60)).as("mode").isEqualTo(0100644);
        assertThat(b.getInt(at + 64)).as("nlink").isEqualTo(2);
        assertThat(b.getInt(at + 68)).as("uid").isEqualTo(1000);
        assertThat(b.getInt(at + 72)).as("gid").isEqualTo(1001);
        assertThat(b.getInt(at + 76)).as("rdev").isEqualTo(0x0801);
        assertThat(b.getInt(at + 80)).as("blksize").isEqualTo(4096);
        assertThat(b.getInt(at + 84)).as("flags").isEqualTo(FuseProtocol.ATTR_SUBMOUNT);
    }

    /** fuse_entry_out at {@code at}: both timeouts' seconds come before both nanoseconds. */
    static void checkEntry(ByteBuffer b, int at) {
        assertThat(b.getLong(at)).as("nodeid").isEqualTo(42);
        assertThat(b.getLong(at + 8)).as("generation").isEqualTo(7);
        assertThat(b.getLong(at + 16)).as("entry_valid").isEqualTo(5);
        assertThat(b.getLong(at + 24)).as("attr_valid").isEqualTo(6);
        assertThat(b.getInt(at + 32)).as("entry_valid_nsec").isEqualTo(500);
        assertThat(b.getInt(at + 36)).as("attr_valid_nsec").isEqualTo(600);
        checkAttr(b, at + 40);
    }

    @Test
    void errorIsNegativeErrnoWithNoPayload() {
        checkHeader(FuseReplies.error(UNIQUE, 2), 0, -2);
        checkHeader(FuseReplies.error(UNIQUE, FuseProtocol.MAX_ERRNO), 0, -511);
        checkHeader(FuseReplies.ok(UNIQUE), 0, 0);
    }

    @Test
    void errnoTheKernelWouldRejectIsRefused() {
        for (int errno : new int[] {0, -2, 512, 1000}) {
            assertThatThrownBy(() -> FuseReplies.error(UNIQUE, errno)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void entry() {
        checkEntry(checkHeader(FuseReplies.entry(UNIQUE, ENTRY), 128, 0), 16);
    }

    @Test
    void negativeEntryHasNodeIdZeroAndATimeout() {
        ByteBuffer b = checkHeader(FuseReplies.entry(UNIQUE, FuseEntry.negative(3, 4)), 128, 0);
        assertThat(b.getLong(16)).isZero();
        assertThat(b.getLong(32)).isEqualTo(3);
        assertThat(b.getInt(48)).isEqualTo(4);
    }

    @Test
    void attr() {
        ByteBuffer b = checkHeader(FuseReplies.attr(UNIQUE, 9, 900, ATTR), 104, 0);
        assertThat(b.getLong(16)).as("attr_valid").isEqualTo(9);
        assertThat(b.getInt(24)).as("attr_valid_nsec").isEqualTo(900);
        assertThat(b.getInt(28)).as("dummy").isZero();
        checkAttr(b, 32);
    }

    @Test
    void openAndCreate() {
        int flags = FuseProtocol.FOPEN_DIRECT_IO | FuseProtocol.FOPEN_NONSEEKABLE;
        ByteBuffer open = checkHeader(FuseReplies.open(UNIQUE, 0x77, flags), 16, 0);
        assertThat(open.getLong(16)).as("fh").isEqualTo(0x77);
        assertThat(open.getInt(24)).as("open_flags").isEqualTo(flags);
        assertThat(open.getInt(28)).as("backing_id").isZero();

        ByteBuffer create = checkHeader(FuseReplies.create(UNIQUE, ENTRY, 0x78, FuseProtocol.FOPEN_KEEP_CACHE), 144, 0);
        checkEntry(create, 16);
        assertThat(create.getLong(144)).as("fh").isEqualTo(0x78);
        assertThat(create.getInt(152)).as("open_flags").isEqualTo(FuseProtocol.FOPEN_KEEP_CACHE);
    }

    @Test
    void eightByteReplies() {
        assertThat(checkHeader(FuseReplies.write(UNIQUE, 1 << 20), 8, 0).getInt(16))
                .isEqualTo(1 << 20);
        assertThat(checkHeader(FuseReplies.write(UNIQUE, -1), 8, 0).getLong(16)).isEqualTo(0xffff_ffffL);
        assertThat(checkHeader(FuseReplies.xattrSize(UNIQUE, 300), 8, 0).getLong(16))
                .isEqualTo(300);
        assertThat(checkHeader(FuseReplies.lseek(UNIQUE, 1L << 40), 8, 0).getLong(16))
                .isEqualTo(1L << 40);
        assertThat(checkHeader(FuseReplies.bmap(UNIQUE, 99), 8, 0).getLong(16)).isEqualTo(99);
        assertThat(checkHeader(FuseReplies.poll(UNIQUE, 0x41), 8, 0).getLong(16))
                .isEqualTo(0x41);
        assertThat(checkHeader(FuseReplies.copyFileRange64(UNIQUE, 5L << 32), 8, 0)
                        .getLong(16))
                .isEqualTo(5L << 32);
    }

    @Test
    void dataIsCopiedWithoutMovingTheSource() {
        ByteBuffer source = ByteBuffer.wrap(new byte[] {9, 1, 2, 3}).position(1);
        ByteBuffer b = checkHeader(FuseReplies.data(UNIQUE, source), 3, 0);
        assertThat(b.get(16)).isEqualTo((byte) 1);
        assertThat(b.get(18)).isEqualTo((byte) 3);
        assertThat(source.position()).isEqualTo(1);

        checkHeader(FuseReplies.data(UNIQUE, new byte[0]), 0, 0);
    }

    @Test
    void dataHeaderAnnouncesThePayloadThatFollows() {
        ByteBuffer h = FuseReplies.dataHeader(UNIQUE, 1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(h.remaining()).isEqualTo(16);
        assertThat(h.getInt(0)).isEqualTo(16 + (1 << 20));
        assertThat(h.getInt(4)).isZero();
        assertThat(h.getLong(8)).isEqualTo(UNIQUE);
    }

    @Test
    void statfs() {
        ByteBuffer b = checkHeader(FuseReplies.statfs(UNIQUE, new FuseStatfs(1, 2, 3, 4, 5, 4096, 255, 512)), 80, 0);
        assertThat(b.getLong(16)).as("blocks").isEqualTo(1);
        assertThat(b.getLong(24)).as("bfree").isEqualTo(2);
        assertThat(b.getLong(32)).as("bavail").isEqualTo(3);
        assertThat(b.getLong(40)).as("files").isEqualTo(4);
        assertThat(b.getLong(48)).as("ffree").isEqualTo(5);
        assertThat(b.getInt(56)).as("bsize").isEqualTo(4096);
        assertThat(b.getInt(60)).as("namelen").isEqualTo(255);
        assertThat(b.getInt(64)).as("frsize").isEqualTo(512);
        for (int at = 68; at < 96; at += 4) {
            assertThat(b.getInt(at)).as("padding and spare at %d", at).isZero();
        }
    }

    @Test
    void lock() {
        ByteBuffer b = checkHeader(FuseReplies.lock(UNIQUE, new FuseFileLock(10, Long.MAX_VALUE, 1, 555)), 24, 0);
        assertThat(b.getLong(16)).as("start").isEqualTo(10);
        assertThat(b.getLong(24)).as("end").isEqualTo(Long.MAX_VALUE);
        assertThat(b.getInt(32)).as("type").isEqualTo(1);
        assertThat(b.getInt(36)).as("pid").isEqualTo(555);
    }

    @Test
    void init() {
        long flags = FuseProtocol.ASYNC_READ
                | FuseProtocol.MAX_PAGES
                | FuseProtocol.INIT_EXT
                | FuseProtocol.DIRECT_IO_ALLOW_MMAP;
        FuseInitOut out = new FuseInitOut(7, 45, 131072, flags, 64, 48, 1 << 20, 1, 256, 12, 1, 30);
        ByteBuffer b = checkHeader(FuseReplies.init(UNIQUE, out), 64, 0);
        assertThat(b.getInt(16)).as("major").isEqualTo(7);
        assertThat(b.getInt(20)).as("minor").isEqualTo(45);
        assertThat(b.getInt(24)).as("max_readahead").isEqualTo(131072);
        assertThat(b.getInt(28)).as("flags").isEqualTo((int) flags);
        assertThat(b.getShort(32)).as("max_background").isEqualTo((short) 64);
        assertThat(b.getShort(34)).as("congestion_threshold").isEqualTo((short) 48);
        assertThat(b.getInt(36)).as("max_write").isEqualTo(1 << 20);
        assertThat(b.getInt(40)).as("time_gran").isEqualTo(1);
        assertThat(b.getShort(44)).as("max_pages").isEqualTo((short) 256);
        assertThat(b.getShort(46)).as("map_alignment").isEqualTo((short) 12);
        assertThat(b.getInt(48)).as("flags2").isEqualTo(1 << 4); // bit 36 shifted down
        assertThat(b.getInt(52)).as("max_stack_depth").isEqualTo(1);
        assertThat(b.getShort(56)).as("request_timeout").isEqualTo((short) 30);
        for (int at = 58; at < 80; at += 2) {
            assertThat(b.getShort(at)).as("unused at %d", at).isZero();
        }
    }

    @Test
    void initFlagsAboveBit31NeedInitExt() {
        FuseInitOut out = new FuseInitOut(7, 45, 0, FuseProtocol.DIRECT_IO_ALLOW_MMAP, 1, 1, 4096, 1, 1, 0, 0, 0);
        assertThatThrownBy(() -> FuseReplies.init(UNIQUE, out)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outHeaderReadsBackEveryReply() throws FuseProtocolException {
        FuseOutHeader h = FuseOutHeader.read(FuseReplies.entry(UNIQUE, ENTRY));
        assertThat(h).isEqualTo(new FuseOutHeader(144, 0, UNIQUE));
        assertThat(h.isNotification()).isFalse();
        assertThat(FuseOutHeader.read(FuseReplies.error(UNIQUE, 13)).error()).isEqualTo(-13);
    }

    @Test
    void outHeaderRefusesWhatTheKernelWould() {
        ByteBuffer shortByOne = FuseReplies.write(UNIQUE, 1).limit(23);
        ByteBuffer positiveError =
                FuseReplies.ok(UNIQUE).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 5);
        ByteBuffer hugeError =
                FuseReplies.ok(UNIQUE).order(ByteOrder.LITTLE_ENDIAN).putInt(4, -512);
        ByteBuffer notificationWithoutCode =
                FuseReplies.ok(UNIQUE).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 0);

        for (ByteBuffer bad :
                new ByteBuffer[] {ByteBuffer.allocate(15), shortByOne, positiveError, hugeError, notificationWithoutCode
                }) {
            assertThatThrownBy(() -> FuseOutHeader.read(bad)).isInstanceOf(FuseProtocolException.class);
        }
    }
}
