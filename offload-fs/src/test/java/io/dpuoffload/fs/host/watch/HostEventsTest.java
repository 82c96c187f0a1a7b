package io.dpuoffload.fs.host.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.Fanotify;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte layouts as the kernel (6.18, ext4) wrote them for the events the watch asks for. */
class HostEventsTest {
    static final long FSID = 0xf179c168af0c83ebL;
    static final byte[] DIR = HexFormat.of().parseHex("eee62100a5622032");
    static final byte[] FILE = HexFormat.of().parseHex("efe62100d2d3ed24");

    @Test
    void aWriteAndChmodOfAFileCarryItsIdAndItsDirectorysWithTheName() {
        ByteBuffer events =
                events(event(Fanotify.FAN_MODIFY | Fanotify.FAN_ATTRIB, 9004, dfidName(DIR, "f"), fid(FILE)));

        List<HostEvent> decoded = decode(events);

        assertThat(decoded).hasSize(1);
        HostEvent e = decoded.getFirst();
        assertThat(e.mask()).isEqualTo(Fanotify.FAN_MODIFY | Fanotify.FAN_ATTRIB);
        assertThat(e.tid()).isEqualTo(9004);
        assertThat(e.object()).isEqualTo(id(FILE));
        assertThat(e.directory()).isEqualTo(id(DIR));
        assertThat(new String(e.name(), StandardCharsets.UTF_8)).isEqualTo("f");
        assertThat(e.onDirectoryItself()).isFalse();
    }

    @Test
    void namesAndTheDirectoryItselfComeWithoutAnObject() {
        ByteBuffer events = events(
                event(Fanotify.FAN_CREATE | Fanotify.FAN_MOVED_FROM, 1, dfidName(DIR, "g")),
                event(Fanotify.FAN_ATTRIB | Fanotify.FAN_ONDIR, 2, dfidName(DIR, ".")));

        List<HostEvent> decoded = decode(events);

        assertThat(decoded).hasSize(2);
        assertThat(decoded.get(0).object()).isNull();
        assertThat(decoded.get(0).name()).isEqualTo("g".getBytes(StandardCharsets.UTF_8));
        assertThat(decoded.get(1).onDirectoryItself()).isTrue();
        assertThat(decoded.get(1).directory()).isEqualTo(id(DIR));
    }

    @Test
    void anOverflowHasNoRecords() {
        assertThat(decode(events(event(Fanotify.FAN_Q_OVERFLOW, 0))))
                .singleElement()
                .satisfies(e -> assertThat(e.mask()).isEqualTo(Fanotify.FAN_Q_OVERFLOW));
    }

    @Test
    void aTruncatedEventEndsTheBatchWithoutAnError() {
        ByteBuffer whole = events(event(Fanotify.FAN_MODIFY, 1, fid(FILE)), event(Fanotify.FAN_MODIFY, 2, fid(DIR)));
        ByteBuffer cut = whole.slice(0, whole.remaining() - 5);

        assertThat(decode(cut)).extracting(HostEvent::tid).containsExactly(1);
    }

    static FileId id(byte[] handle) {
        byte[] typed = ByteBuffer.allocate(4 + handle.length)
                .order(ByteOrder.nativeOrder())
                .putInt(1)
                .put(handle)
                .array();
        return new FileId(FSID, typed);
    }

    private static List<HostEvent> decode(ByteBuffer events) {
        List<HostEvent> out = new ArrayList<>();
        HostEvents.decode(events, out::add);
        return out;
    }

    /** fanotify_event_info_fid: header (type, pad, len), fsid, file_handle (bytes, type, handle). */
    static byte[] fid(byte[] handle) {
        return info(Fanotify.INFO_FID, handle, null);
    }

    static byte[] dfidName(byte[] handle, String name) {
        return info(Fanotify.INFO_DFID_NAME, handle, name);
    }

    private static byte[] info(int type, byte[] handle, String name) {
        byte[] nameBytes = name == null ? new byte[0] : (name + "\0").getBytes(StandardCharsets.UTF_8);
        int length = (4 + 8 + 8 + handle.length + nameBytes.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        b.put((byte) type).put((byte) 0).putShort((short) length);
        b.putLong(FSID).putInt(handle.length).putInt(1).put(handle).put(nameBytes);
        return b.array();
    }

    static byte[] event(long mask, int tid, byte[]... records) {
        int length = HostEvents.METADATA_SIZE;
        for (byte[] r : records) {
            length += r.length;
        }
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        b.putInt(length).put((byte) Fanotify.METADATA_VERSION).put((byte) 0).putShort((short) HostEvents.METADATA_SIZE);
        b.putLong(mask).putInt(-1).putInt(tid);
        for (byte[] r : records) {
            b.put(r);
        }
        return b.array();
    }

    static ByteBuffer events(byte[]... events) {
        int length = 0;
        for (byte[] e : events) {
            length += e.length;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        for (byte[] e : events) {
            b.put(e);
        }
        return b.flip();
    }
}
