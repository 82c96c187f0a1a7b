package io.dpuoffload.fs.host.watch;

import static io.dpuoffload.fs.host.watch.HostEventsTest.DIR;
import static io.dpuoffload.fs.host.watch.HostEventsTest.FILE;
import static io.dpuoffload.fs.host.watch.HostEventsTest.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.fuse.FuseNotifications;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.linux.Fanotify;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

class InvalidationsTest {
    static final long DIR_NODE = 0x10;
    static final long FILE_NODE = 0x11;
    static final ToLongFunction<FileId> KNOWN =
            id -> Map.of(id(DIR), DIR_NODE, id(FILE), FILE_NODE).getOrDefault(id, Invalidations.UNKNOWN);
    static final int SERVER_TID = 7;

    private final Invalidations pending = new Invalidations();

    private void add(long mask, int tid, FileId object, FileId directory, String name) {
        pending.add(
                new HostEvent(
                        mask, tid, object, directory, name == null ? null : name.getBytes(StandardCharsets.UTF_8)),
                KNOWN,
                t -> t == SERVER_TID);
    }

    @Test
    void manyWritesOfAFileAreOneAttributeInvalidation() {
        for (int i = 0; i < 5; i++) {
            add(Fanotify.FAN_MODIFY, 100, id(FILE), id(DIR), "f");
        }
        add(Fanotify.FAN_ATTRIB, 101, id(FILE), id(DIR), "f");

        assertThat(pending.drain()).containsExactly(FuseNotifications.invalInode(FILE_NODE, -1, 0));
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void theServersOwnChangesAreNotSentBack() {
        add(Fanotify.FAN_MODIFY, SERVER_TID, id(FILE), id(DIR), "f");
        add(Fanotify.FAN_CREATE, SERVER_TID, null, id(DIR), "g");

        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void aNameChangeExpiresTheNameAndTheDirectorysAttributes() {
        add(Fanotify.FAN_CREATE | Fanotify.FAN_DELETE, 100, null, id(DIR), "g");
        add(Fanotify.FAN_MOVED_TO, 100, null, id(DIR), "h");

        List<ByteBuffer> sent = pending.drain();

        assertThat(sent)
                .containsExactly(
                        FuseNotifications.invalInode(DIR_NODE, -1, 0),
                        FuseNotifications.invalEntry(DIR_NODE, bytes("g"), FuseProtocol.EXPIRE_ONLY),
                        FuseNotifications.invalEntry(DIR_NODE, bytes("h"), FuseProtocol.EXPIRE_ONLY));
    }

    @Test
    void anAttributeChangeOfTheDirectoryItselfIsItsOwn() {
        add(Fanotify.FAN_ATTRIB | Fanotify.FAN_ONDIR, 100, null, id(DIR), ".");

        assertThat(pending.drain()).containsExactly(FuseNotifications.invalInode(DIR_NODE, -1, 0));
    }

    @Test
    void inodesTheDpuDoesNotKnowAreIgnored() {
        FileId stranger = new FileId(1, new byte[] {1, 2, 3});
        add(Fanotify.FAN_MODIFY, 100, stranger, stranger, "x");
        add(Fanotify.FAN_CREATE, 100, null, stranger, "y");

        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void anOverflowIsReported() {
        add(Fanotify.FAN_Q_OVERFLOW, 0, null, null, null);

        assertThat(pending.overflowed()).isTrue();
        pending.changed(FILE_NODE);
        assertThat(pending.drain()).containsExactly(FuseNotifications.invalInode(FILE_NODE, -1, 0));
        assertThat(pending.overflowed()).isFalse();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
