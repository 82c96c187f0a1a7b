package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of linux_dirent64 records, and of listxattr's name lists, from hand-made buffers. */
class DirectoriesTest {
    @Test
    void walksRecordsInOrderAndStopsWhenAsked() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256, 8);
            int len = 0;
            len = put(buf, len, 11, 100, DirEntry.DT_DIR, ".");
            len = put(buf, len, 12, 200, DirEntry.DT_REG, "file");
            len = put(buf, len, 13, 300, DirEntry.DT_LNK, "a-rather-longer-name");

            List<String> seen = new ArrayList<>();
            int n = Directories.forEach(buf, len, (ino, off, type, name) -> {
                seen.add(ino + "/" + off + "/" + type + "/"
                        + new String(name.toArray(JAVA_BYTE), StandardCharsets.UTF_8));
                return true;
            });
            assertThat(n).isEqualTo(3);
            assertThat(seen).containsExactly("11/100/4/.", "12/200/8/file", "13/300/10/a-rather-longer-name");

            int accepted = Directories.forEach(buf, len, (ino, off, type, name) -> ino < 12);
            assertThat(accepted).isEqualTo(1);
        }
    }

    @Test
    void dirEntryComparesNamesByContent() {
        DirEntry a = new DirEntry(1, 2, DirEntry.DT_REG, new byte[] {'x'});
        DirEntry b = new DirEntry(1, 2, DirEntry.DT_REG, new byte[] {'x'});
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.toString()).contains("name=x");
        assertThat(new DirEntry(1, 2, 4, new byte[] {'.', '.'}).isDotOrDotDot()).isTrue();
        assertThat(new DirEntry(1, 2, 4, new byte[] {'.', 'a'}).isDotOrDotDot()).isFalse();
    }

    @Test
    void xattrNameListsSplitAtNul() {
        try (Arena arena = Arena.ofConfined()) {
            byte[] raw = "user.a\0user.bb\0".getBytes(StandardCharsets.UTF_8);
            MemorySegment buf = arena.allocate(raw.length);
            MemorySegment.copy(raw, 0, buf, JAVA_BYTE, 0, raw.length);
            assertThat(Xattrs.splitNames(buf, raw.length))
                    .map(b -> new String(b, StandardCharsets.UTF_8))
                    .containsExactly("user.a", "user.bb");
            assertThat(Xattrs.splitNames(buf, 0)).isEmpty();
        }
    }

    private static int put(MemorySegment buf, int pos, long ino, long off, int type, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int reclen = (Directories.D_NAME + n.length + 1 + 7) & ~7;
        buf.set(JAVA_LONG, pos + Directories.D_INO, ino);
        buf.set(JAVA_LONG, pos + Directories.D_OFF, off);
        buf.set(JAVA_SHORT, pos + Directories.D_RECLEN, (short) reclen);
        buf.set(JAVA_BYTE, pos + Directories.D_TYPE, (byte) type);
        MemorySegment.copy(n, 0, buf, JAVA_BYTE, pos + Directories.D_NAME, n.length);
        buf.set(JAVA_BYTE, pos + Directories.D_NAME + n.length, (byte) 0);
        return pos + reclen;
    }
}
