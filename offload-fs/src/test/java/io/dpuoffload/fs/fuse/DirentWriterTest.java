package io.dpuoffload.fs.fuse;

import static io.dpuoffload.fs.fuse.RequestFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Directory replies: 8-byte aligned records, the size limit, and the boundary where an entry no longer fits. */
class DirentWriterTest {

    private static final long UNIQUE = 99;

    /** A dirent as the kernel's parse_dirfile reads it. */
    record Dirent(long ino, long off, int type, String name) {}

    /** Walks a READDIR reply the way the kernel does, checking the padding is zero. */
    private static List<Dirent> parse(ByteBuffer reply, boolean plus) {
        ByteBuffer b = reply.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).as("len").isEqualTo(b.remaining());
        assertThat(b.getInt(4)).as("error").isZero();
        assertThat(b.getLong(8)).as("unique").isEqualTo(UNIQUE);
        List<Dirent> out = new ArrayList<>();
        int at = 16;
        int nameOffset = plus ? FuseProtocol.DIRENTPLUS_NAME_OFFSET : FuseProtocol.DIRENT_NAME_OFFSET;
        int direntAt = plus ? FuseProtocol.ENTRY_OUT_SIZE : 0;
        while (at < b.limit()) {
            int namelen = b.getInt(at + direntAt + 16);
            int recordSize = (nameOffset + namelen + 7) & ~7;
            assertThat(at + recordSize).as("record at %d inside the reply", at).isLessThanOrEqualTo(b.limit());
            byte[] name = new byte[namelen];
            b.get(at + nameOffset, name);
            for (int p = at + nameOffset + namelen; p < at + recordSize; p++) {
                assertThat(b.get(p)).as("padding byte at %d", p).isZero();
            }
            out.add(new Dirent(
                    b.getLong(at + direntAt),
                    b.getLong(at + direntAt + 8),
                    b.getInt(at + direntAt + 20),
                    new String(name)));
            at += recordSize;
        }
        return out;
    }

    @Test
    void recordsArePaddedToEightBytesTheLastOneToo() {
        DirentWriter w = DirentWriter.readdir(4096);
        assertThat(w.add(10, 1, 4, utf8("."))).isTrue();
        assertThat(w.add(11, 2, 8, utf8("12345678"))).isTrue(); // 24 + 8: no padding needed
        assertThat(w.add(12, 3, 10, utf8("abc"))).isTrue();

        assertThat(w.size()).isEqualTo(32 + 32 + 32);
        ByteBuffer reply = w.finish(UNIQUE);
        assertThat(reply.remaining()).isEqualTo(16 + 96);
        ByteBuffer b = reply.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong(16)).as("ino").isEqualTo(10);
        assertThat(b.getLong(24)).as("off").isEqualTo(1);
        assertThat(b.getInt(32)).as("namelen").isEqualTo(1);
        assertThat(b.getInt(36)).as("type").isEqualTo(4);
        assertThat(b.get(40)).isEqualTo((byte) '.');
        assertThat(parse(reply, false))
                .containsExactly(
                        new Dirent(10, 1, 4, "."), new Dirent(11, 2, 8, "12345678"), new Dirent(12, 3, 10, "abc"));
    }

    @Test
    void anEntryThatWouldPassTheLimitIsNotWritten() {
        DirentWriter w = DirentWriter.readdir(64); // exactly two 32-byte records
        assertThat(w.add(1, 1, 8, utf8("a"))).isTrue();
        assertThat(w.add(2, 2, 8, utf8("b"))).isTrue();
        assertThat(w.add(3, 3, 8, utf8("c"))).isFalse();
        assertThat(w.size()).isEqualTo(64);
        assertThat(w.count()).isEqualTo(2);

        DirentWriter oneShort = DirentWriter.readdir(63);
        assertThat(oneShort.add(1, 1, 8, utf8("a"))).isTrue();
        assertThat(oneShort.add(2, 2, 8, utf8("b")))
                .as("its padding would pass the limit")
                .isFalse();
        assertThat(parse(oneShort.finish(UNIQUE), false)).hasSize(1);
    }

    @Test
    void directoryPlusRecordsCarryTheEntryFirst() {
        DirentWriter w = DirentWriter.readdirPlus(4096);
        assertThat(w.addPlus(RepliesTest.ENTRY, 5, 8, utf8("ab"))).isTrue();
        assertThat(w.size()).isEqualTo(DirentWriter.direntPlusSize(2)).isEqualTo(160);

        ByteBuffer reply = w.finish(UNIQUE);
        ByteBuffer b = reply.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        RepliesTest.checkEntry(b, 16);
        assertThat(parse(reply, true)).containsExactly(new Dirent(RepliesTest.ATTR.ino(), 5, 8, "ab"));
    }

    @Test
    void directoryPlusBoundary() {
        assertThat(DirentWriter.readdirPlus(159).addPlus(RepliesTest.ENTRY, 1, 8, utf8("ab")))
                .isFalse();
        assertThat(DirentWriter.readdirPlus(160).addPlus(RepliesTest.ENTRY, 1, 8, utf8("ab")))
                .isTrue();
    }

    @Test
    void anEmptyReplyIsTheEndOfTheDirectory() {
        ByteBuffer reply = DirentWriter.readdir(4096).finish(UNIQUE);
        assertThat(reply.remaining()).isEqualTo(16);
        assertThat(parse(reply, false)).isEmpty();
    }

    @Test
    void manyEntriesUpToALargeLimit() {
        DirentWriter w = DirentWriter.readdir(1 << 20);
        int n = 0;
        while (w.add(1000 + n, n + 1, 8, utf8("file-" + n))) {
            n++;
        }
        List<Dirent> entries = parse(w.finish(UNIQUE), false);
        assertThat(entries).hasSize(n);
        assertThat(entries.get(n - 1)).isEqualTo(new Dirent(1000 + n - 1, n, 8, "file-" + (n - 1)));
        assertThat(n).isGreaterThan(20_000);
    }

    @Test
    void typeOfMode() {
        assertThat(DirentWriter.typeOf(0010644)).as("fifo").isEqualTo(1);
        assertThat(DirentWriter.typeOf(0020600)).as("chr").isEqualTo(2);
        assertThat(DirentWriter.typeOf(0040755)).as("dir").isEqualTo(4);
        assertThat(DirentWriter.typeOf(0060600)).as("blk").isEqualTo(6);
        assertThat(DirentWriter.typeOf(0100644)).as("reg").isEqualTo(8);
        assertThat(DirentWriter.typeOf(0120777)).as("lnk").isEqualTo(10);
        assertThat(DirentWriter.typeOf(0140755)).as("sock").isEqualTo(12);
    }

    @Test
    void namesTheKernelWouldRejectAreRefused() {
        DirentWriter w = DirentWriter.readdir(4096);
        for (String bad : new String[] {"", "a/b", "a\0b"}) {
            assertThatThrownBy(() -> w.add(1, 1, 8, utf8(bad))).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(w.count()).isZero();
    }

    @Test
    void misuse() {
        assertThatThrownBy(() -> DirentWriter.readdirPlus(4096).add(1, 1, 8, utf8("a")))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DirentWriter.readdir(4096).addPlus(RepliesTest.ENTRY, 1, 8, utf8("a")))
                .isInstanceOf(IllegalStateException.class);
        DirentWriter finished = DirentWriter.readdir(4096);
        finished.finish(UNIQUE);
        assertThatThrownBy(() -> finished.add(1, 1, 8, utf8("a"))).isInstanceOf(IllegalStateException.class);
    }
}
