package io.dpuoffload.fs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.fuse.FuseNotifications;
import io.dpuoffload.fs.fuse.FuseProtocol;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KernelNoticesTest {
    record Written(String thread, ByteBuffer notification) {}

    @Test
    void notificationsThatNeverWaitAreWrittenInPlaceTheOthersByTheNoticesThread() throws Exception {
        var written = new LinkedBlockingQueue<Written>();
        try (var notices = new KernelNotices(
                "test", n -> written.add(new Written(Thread.currentThread().getName(), copy(n))), node -> {})) {
            ByteBuffer attrs = FuseNotifications.invalInode(0x11, -1, 0);
            ByteBuffer pages = FuseNotifications.invalInode(0x12, 0, 0);
            ByteBuffer name = FuseNotifications.invalEntry(0x10, "g".getBytes(), FuseProtocol.EXPIRE_ONLY);
            ByteBuffer poll = FuseNotifications.poll(5);

            notices.deliver(concat(attrs, name, poll, pages));

            List<Written> all = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(written.poll(10, TimeUnit.SECONDS));
            }
            String here = Thread.currentThread().getName();
            assertThat(all)
                    .filteredOn(w -> w.thread().equals(here))
                    .extracting(Written::notification)
                    .containsExactly(attrs, poll);
            assertThat(all)
                    .filteredOn(w -> !w.thread().equals(here))
                    .extracting(Written::notification)
                    .containsExactly(name, pages);
        }
    }

    @Test
    void aMalformedMessageIsDroppedFromWhereItBreaks() {
        var written = new LinkedBlockingQueue<ByteBuffer>();
        try (var notices = new KernelNotices("test", n -> written.add(copy(n)), node -> {})) {
            ByteBuffer attrs = FuseNotifications.invalInode(0x11, -1, 0);
            ByteBuffer message = concat(
                    attrs, ByteBuffer.wrap(new byte[] {(byte) 200, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));

            notices.deliver(message);

            assertThat(written).containsExactly(attrs);
        }
    }

    /** Before the kernel hears of it, the mount hears which nodes a host program changed: DirectoryAttrs drops them. */
    @Test
    void theNodesOfInvalidationsAreToldBeforeTheKernelHasThem() throws Exception {
        List<Long> changed = new CopyOnWriteArrayList<>();
        List<Long> toldWhenWritten = new CopyOnWriteArrayList<>();
        var written = new LinkedBlockingQueue<ByteBuffer>();
        try (var notices = new KernelNotices(
                "test",
                n -> {
                    toldWhenWritten.add((long) changed.size());
                    written.add(copy(n));
                },
                changed::add)) {
            notices.deliver(concat(
                    FuseNotifications.invalInode(0x11, -1, 0),
                    FuseNotifications.invalEntry(0x10, "g".getBytes(), FuseProtocol.EXPIRE_ONLY),
                    FuseNotifications.poll(5)));
            for (int i = 0; i < 3; i++) {
                assertThat(written.poll(10, TimeUnit.SECONDS)).isNotNull();
            }
            assertThat(changed).containsExactly(0x11L, 0x10L);
            assertThat(toldWhenWritten.getFirst()).isEqualTo(1);
        }
    }

    private static ByteBuffer concat(ByteBuffer... parts) {
        int length = 0;
        for (ByteBuffer p : parts) {
            length += p.remaining();
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        for (ByteBuffer p : parts) {
            b.put(p.duplicate());
        }
        return b.flip();
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate());
        return c.flip();
    }
}
