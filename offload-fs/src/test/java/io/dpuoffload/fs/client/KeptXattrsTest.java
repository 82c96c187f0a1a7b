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

/**
 * ACL replies are answered on the DPU after the host's first, until the inode changes; the absence of
 * file capabilities too, and for a file the mount created, from the start.
 */
class KeptXattrsTest {
    private static final FuseNegotiated AGREED =
            new FuseNegotiated(FuseProtocol.KERNEL_MINOR_VERSION, FuseInitOptions.DEFAULT_FLAGS);

    private final KeptXattrs acls = new KeptXattrs(Duration.ofHours(1));

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

    /** An untar's file: created, written and chowned; the kernel asks for its capabilities before both. */
    @Test
    void aFileTheMountCreatedHasNoCapabilitiesWithoutAskingTheHost() {
        acls.learn(header(FuseOpcode.CREATE, 30, FuseProtocol.ROOT_ID), entryReply(30, 88));

        var check = getxattr(31, 88, "security.capability", 0);
        ByteBuffer kept = acls.answer(check.header, check.request, AGREED).orElseThrow();
        assertThat(kept.getLong(8)).isEqualTo(31);
        assertThat(kept.getInt(4)).isEqualTo(-Errno.ENODATA);

        var other = getxattr(32, 89, "security.capability", 0);
        assertThat(acls.answer(other.header, other.request, AGREED))
                .as("a file the mount did not create")
                .isEmpty();
    }

    /** A chown or truncate can only remove capabilities: their absence stays, the ACLs go. */
    @Test
    void aSetattrKeepsTheAbsenceOfCapabilitiesButNotTheAcls() {
        acls.learn(header(FuseOpcode.CREATE, 30, FuseProtocol.ROOT_ID), entryReply(30, 88));
        var acl = getxattr(31, 88, "system.posix_acl_access");
        acls.answer(acl.header, acl.request, AGREED);
        acls.learn(acl.header, FuseReplies.error(31, Errno.ENODATA));

        var setattr = header(FuseOpcode.SETATTR, 32, 88);
        assertThat(acls.answer(setattr, ByteBuffer.allocate(0), AGREED)).isEmpty();
        acls.learn(setattr, FuseReplies.ok(32));

        var check = getxattr(33, 88, "security.capability", 0);
        assertThat(acls.answer(check.header, check.request, AGREED)).isPresent();
        var aclAgain = getxattr(34, 88, "system.posix_acl_access");
        assertThat(acls.answer(aclAgain.header, aclAgain.request, AGREED)).isEmpty();
    }

    /** A value would be stale after the host's next chown or write, which remove it: never kept. */
    @Test
    void capabilitiesAFileHasAreAlwaysTheHostsAnswer() {
        var check = getxattr(40, 90, "security.capability", 0);
        assertThat(acls.answer(check.header, check.request, AGREED)).isEmpty();
        ByteBuffer twentyBytes =
                ByteBuffer.allocate(FuseProtocol.OUT_HEADER_SIZE + 8).order(ByteOrder.LITTLE_ENDIAN);
        twentyBytes.putInt(24).putInt(0).putLong(40).putInt(20).putInt(0).flip();
        acls.learn(check.header, twentyBytes);

        var again = getxattr(41, 90, "security.capability", 0);
        assertThat(acls.answer(again.header, again.request, AGREED)).isEmpty();
    }

    /** setcap through the mount, or on the host: the absence is dropped. */
    @Test
    void aSetxattrOrAHostChangeDropsTheAbsenceOfCapabilities() {
        acls.learn(header(FuseOpcode.CREATE, 30, FuseProtocol.ROOT_ID), entryReply(30, 88));
        acls.learn(header(FuseOpcode.MKNOD, 31, FuseProtocol.ROOT_ID), entryReply(31, 89));
        var set = header(FuseOpcode.SETXATTR, 32, 88);
        acls.answer(set, ByteBuffer.allocate(0), AGREED);
        acls.hostChanged(89);

        for (long node : new long[] {88, 89}) {
            var check = getxattr(33, node, "security.capability", 0);
            assertThat(acls.answer(check.header, check.request, AGREED))
                    .as("node %d", node)
                    .isEmpty();
        }
    }

    private static FuseInHeader header(FuseOpcode opcode, long unique, long nodeid) {
        return new FuseInHeader(64, opcode.code(), unique, nodeid, 0, 0, 1, 0);
    }

    /** A CREATE's or MKNOD's reply: fuse_out_header, then fuse_entry_out with {@code nodeid} first. */
    private static ByteBuffer entryReply(long unique, long nodeid) {
        int length = FuseProtocol.OUT_HEADER_SIZE + FuseProtocol.ENTRY_OUT_SIZE;
        ByteBuffer reply = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        reply.putInt(length).putInt(0).putLong(unique).putLong(nodeid);
        return reply.position(0).limit(length);
    }

    private record Request(FuseInHeader header, ByteBuffer request) {}

    /** A GETXATTR frame: the header, fuse_getxattr_in (size, padding), the name with its NUL. */
    private static Request getxattr(long unique, long nodeid, String name) {
        return getxattr(unique, nodeid, name, 4096);
    }

    private static Request getxattr(long unique, long nodeid, String name, int size) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int length = FuseProtocol.IN_HEADER_SIZE + 8 + bytes.length + 1;
        ByteBuffer frame = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(length).putInt(FuseOpcode.GETXATTR.code()).putLong(unique).putLong(nodeid);
        frame.putInt(1000).putInt(1000).putInt(4242).putInt(0);
        frame.putInt(size).putInt(0).put(bytes).put((byte) 0).flip();
        var header = new FuseInHeader(length, FuseOpcode.GETXATTR.code(), unique, nodeid, 1000, 1000, 4242, 0);
        return new Request(header, frame);
    }
}
