package io.dpuoffload.fs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseInitOptions;
import io.dpuoffload.fs.fuse.FuseNegotiated;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.linux.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** ACL replies are answered on the DPU after the host's first, until the inode changes. */
class KeptAclsTest {
    private static final FuseNegotiated AGREED =
            new FuseNegotiated(FuseProtocol.KERNEL_MINOR_VERSION, FuseInitOptions.DEFAULT_FLAGS);

    private final KeptAcls acls = new KeptAcls(Duration.ofHours(1));

    @Test
    void theHostsAnswerThatThereIsNoAclIsGivenAgainWithTheNewRequestsUnique() {
        var first = getxattr(10, FuseProtocol.ROOT_ID, "system.posix_acl_access");
        assertThat(acls.answer(first.header, first.request, AGREED)).isEmpty();
        acls.learn(first.header, FuseReplies.error(10, Errno.ENODATA));

        var second = getxattr(11, FuseProtocol.ROOT_ID, "system.posix_acl_access");
        ByteBuffer kept = acls.answer(second.header, second.request, AGREED).orElseThrow();
        assertThat(kept.getLong(8)).isEqualTo(11);
        assertThat(kept.getInt(4)).isEqualTo(-Errno.ENODATA);
    }

    @Test
    void aChangeToTheRootThroughTheMountDropsWhatIsKept() {
        var first = getxattr(10, FuseProtocol.ROOT_ID, "system.posix_acl_access");
        acls.answer(first.header, first.request, AGREED);
        acls.learn(first.header, FuseReplies.error(10, Errno.ENODATA));
        var set = new FuseInHeader(64, FuseOpcode.SETXATTR.code(), 12, FuseProtocol.ROOT_ID, 0, 0, 1, 0);
        assertThat(acls.answer(set, ByteBuffer.allocate(0), AGREED)).isEmpty();

        var again = getxattr(13, FuseProtocol.ROOT_ID, "system.posix_acl_access");
        assertThat(acls.answer(again.header, again.request, AGREED)).isEmpty();
    }

    @Test
    void otherNamesAlwaysGoToTheHost() {
        var user = getxattr(12, FuseProtocol.ROOT_ID, "user.k");
        assertThat(acls.answer(user.header, user.request, AGREED)).isEmpty();
        acls.learn(user.header, FuseReplies.error(12, Errno.ENODATA));
        var userAgain = getxattr(13, FuseProtocol.ROOT_ID, "user.k");
        assertThat(acls.answer(userAgain.header, userAgain.request, AGREED)).isEmpty();
    }

    /** A directory's ACLs, read again after each create in it (the kernel drops them with its attributes). */
    @Test
    void anyInodesAclsAreKeptUntilAHostProgramChangesIt() {
        var first = getxattr(10, 77, "system.posix_acl_default");
        assertThat(acls.answer(first.header, first.request, AGREED)).isEmpty();
        acls.learn(first.header, FuseReplies.error(10, Errno.ENODATA));
        var second = getxattr(11, 77, "system.posix_acl_default");
        assertThat(acls.answer(second.header, second.request, AGREED)).isPresent();
        assertThat(acls.inodes()).isOne();

        acls.hostChanged(77);

        var third = getxattr(12, 77, "system.posix_acl_default");
        assertThat(acls.answer(third.header, third.request, AGREED)).isEmpty();
    }

    /** A read the host answered while a setxattr was on its way may predate it: not kept. */
    @Test
    void aReadAnsweredWhileAChangeIsOnItsWayIsNotKept() {
        var set = new FuseInHeader(64, FuseOpcode.SETXATTR.code(), 20, 77, 0, 0, 1, 0);
        assertThat(acls.answer(set, ByteBuffer.allocate(0), AGREED)).isEmpty();
        var read = getxattr(21, 77, "system.posix_acl_access");
        assertThat(acls.answer(read.header, read.request, AGREED)).isEmpty();
        acls.learn(read.header, FuseReplies.error(21, Errno.ENODATA));
        acls.learn(set, FuseReplies.ok(20));

        var again = getxattr(22, 77, "system.posix_acl_access");
        assertThat(acls.answer(again.header, again.request, AGREED)).isEmpty();
    }

    private record Request(FuseInHeader header, ByteBuffer request) {}

    /** A GETXATTR frame: the header, fuse_getxattr_in (size, padding), the name with its NUL. */
    private static Request getxattr(long unique, long nodeid, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int length = FuseProtocol.IN_HEADER_SIZE + 8 + bytes.length + 1;
        ByteBuffer frame = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(length).putInt(FuseOpcode.GETXATTR.code()).putLong(unique).putLong(nodeid);
        frame.putInt(1000).putInt(1000).putInt(4242).putInt(0);
        frame.putInt(4096).putInt(0).put(bytes).put((byte) 0).flip();
        var header = new FuseInHeader(length, FuseOpcode.GETXATTR.code(), unique, nodeid, 1000, 1000, 4242, 0);
        return new Request(header, frame);
    }
}
