package io.dpuoffload.fs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Notifications: unique 0, the code in the error field, then the structure at fuse.h offsets. */
class NotificationsTest {

    private static ByteBuffer checkHeader(ByteBuffer n, FuseNotifyCode code, int payload) throws FuseProtocolException {
        assertThat(n.remaining()).isEqualTo(16 + payload);
        FuseOutHeader h = FuseOutHeader.read(n);
        assertThat(h).isEqualTo(new FuseOutHeader(16 + payload, code.code(), 0));
        assertThat(h.isNotification()).isTrue();
        return n.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void codesAreThoseOfFuseH() {
        assertThat(FuseNotifyCode.POLL.code()).isEqualTo(1);
        assertThat(FuseNotifyCode.INVAL_INODE.code()).isEqualTo(2);
        assertThat(FuseNotifyCode.INVAL_ENTRY.code()).isEqualTo(3);
        assertThat(FuseNotifyCode.STORE.code()).isEqualTo(4);
        assertThat(FuseNotifyCode.RETRIEVE.code()).isEqualTo(5);
        assertThat(FuseNotifyCode.DELETE.code()).isEqualTo(6);
        assertThat(FuseNotifyCode.RESEND.code()).isEqualTo(7);
        assertThat(FuseNotifyCode.INC_EPOCH.code()).isEqualTo(8);
        assertThat(FuseNotifyCode.PRUNE.code()).isEqualTo(9);
    }

    @Test
    void poll() throws FuseProtocolException {
        ByteBuffer b = checkHeader(FuseNotifications.poll(0x99), FuseNotifyCode.POLL, 8);
        assertThat(b.getLong(16)).as("kh").isEqualTo(0x99);
    }

    @Test
    void invalInode() throws FuseProtocolException {
        ByteBuffer b = checkHeader(FuseNotifications.invalInode(5, -1, 0), FuseNotifyCode.INVAL_INODE, 24);
        assertThat(b.getLong(16)).as("ino").isEqualTo(5);
        assertThat(b.getLong(24)).as("off").isEqualTo(-1);
        assertThat(b.getLong(32)).as("len").isZero();
    }

    @Test
    void invalEntryNameIsFollowedByOneNul() throws FuseProtocolException {
        ByteBuffer b = checkHeader(
                FuseNotifications.invalEntry(1, "abc".getBytes(StandardCharsets.UTF_8), FuseProtocol.EXPIRE_ONLY),
                FuseNotifyCode.INVAL_ENTRY,
                16 + 4);
        assertThat(b.getLong(16)).as("parent").isEqualTo(1);
        assertThat(b.getInt(24)).as("namelen").isEqualTo(3);
        assertThat(b.getInt(28)).as("flags").isEqualTo(FuseProtocol.EXPIRE_ONLY);
        assertThat(new byte[] {b.get(32), b.get(33), b.get(34), b.get(35)}).containsExactly('a', 'b', 'c', 0);
    }

    @Test
    void delete() throws FuseProtocolException {
        ByteBuffer b = checkHeader(
                FuseNotifications.delete(1, 77, "x".getBytes(StandardCharsets.UTF_8)), FuseNotifyCode.DELETE, 24 + 2);
        assertThat(b.getLong(16)).as("parent").isEqualTo(1);
        assertThat(b.getLong(24)).as("child").isEqualTo(77);
        assertThat(b.getInt(32)).as("namelen").isEqualTo(1);
        assertThat(b.getInt(36)).as("padding").isZero();
        assertThat(b.get(40)).isEqualTo((byte) 'x');
        assertThat(b.get(41)).isZero();
    }

    @Test
    void namesTheKernelWouldRefuseAreRefused() {
        assertThatThrownBy(() -> FuseNotifications.invalEntry(1, new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FuseNotifications.delete(1, 2, new byte[FuseProtocol.NAME_MAX + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
