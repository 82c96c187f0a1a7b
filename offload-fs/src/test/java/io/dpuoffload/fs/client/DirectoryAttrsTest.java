package io.dpuoffload.fs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.fuse.FuseAttr;
import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.fs.wire.PostOpAttrs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A directory's attributes after the DPU's own change answer the kernel's next GETATTR, until anything else changes it. */
class DirectoryAttrsTest {
    private static final long DIR = 0x10;
    private static final long OTHER = 0x11;
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(5 * SECOND);
    private final DirectoryAttrs attrs = new DirectoryAttrs(now::get);
    private long unique = 100;

    @Test
    void theNextGetattrAfterACreateIsTheHostsAttributesAfterItOnce() {
        change(FuseOpcode.CREATE, DIR, directory(DIR, 1_700_000_123L, 2));
        now.addAndGet(SECOND / 4);

        ByteBuffer reply = attrs.answer(header(FuseOpcode.GETATTR, DIR)).orElseThrow();

        assertThat(reply.getLong(8)).as("unique").isEqualTo(unique);
        assertThat(reply.getInt(4)).as("error").isZero();
        assertThat(reply.getLong(FuseProtocol.OUT_HEADER_SIZE)).as("attr_valid").isZero();
        assertThat(reply.getInt(FuseProtocol.OUT_HEADER_SIZE + 8))
                .as("attr_valid_nsec: what is left of the TTL")
                .isEqualTo(750_000_000);
        assertThat(mtime(reply)).isEqualTo(1_700_000_123L);
        assertThat(attrs.answer(header(FuseOpcode.GETATTR, DIR)))
                .as("a second GETATTR")
                .isEmpty();
    }

    @Test
    void otherNodesAndExpiredAttributesGoToTheHost() {
        change(FuseOpcode.UNLINK, DIR, directory(DIR, 1, 2));
        assertThat(attrs.answer(header(FuseOpcode.GETATTR, OTHER))).isEmpty();
        now.addAndGet(SECOND);
        assertThat(attrs.answer(header(FuseOpcode.GETATTR, DIR))).isEmpty();
    }

    @Test
    void aHostChangeDropsThemAndOneWhileTheOperationIsOnItsWayKeepsThemFromBeingLearned() {
        change(FuseOpcode.MKDIR, DIR, directory(DIR, 1, 3));
        attrs.hostChanged(DIR);
        assertThat(attrs.answer(header(FuseOpcode.GETATTR, DIR))).isEmpty();

        var create = header(FuseOpcode.CREATE, DIR);
        attrs.sending(create);
        attrs.hostChanged(DIR);
        attrs.answered(create, List.of(directory(DIR, 2, 3)));
        assertThat(attrs.answer(header(FuseOpcode.GETATTR, DIR))).isEmpty();
    }

    @Test
    void aChangeOfTheDirectoryThroughTheMountDropsThemAReadDoesNot() {
        change(FuseOpcode.CREATE, DIR, directory(DIR, 1, 2));
        var lookup = header(FuseOpcode.LOOKUP, DIR);
        attrs.sending(lookup);
        attrs.answered(lookup, List.of());
        assertThat(attrs.kept()).isOne();

        for (FuseOpcode change : List.of(FuseOpcode.SETATTR, FuseOpcode.SETXATTR, FuseOpcode.READDIR)) {
            change(FuseOpcode.CREATE, DIR, directory(DIR, 1, 2));
            attrs.sending(header(change, DIR));
            assertThat(attrs.answer(header(FuseOpcode.GETATTR, DIR)))
                    .as("after %s", change)
                    .isEmpty();
        }
    }

    /** The directory moved or removed is named, not given by node id: every rename and rmdir drops all. */
    @Test
    void aRenameOrRmdirAnywhereDropsEveryDirectoryButThoseItChanged() {
        change(FuseOpcode.CREATE, OTHER, directory(OTHER, 1, 2));
        change(FuseOpcode.RENAME, DIR, directory(DIR, 5, 3));
        assertThat(attrs.answer(header(FuseOpcode.GETATTR, OTHER))).isEmpty();
        assertThat(attrs.answer(header(FuseOpcode.GETATTR, DIR))).isPresent();

        var create = header(FuseOpcode.CREATE, OTHER);
        attrs.sending(create);
        var rmdir = header(FuseOpcode.RMDIR, DIR);
        attrs.sending(rmdir);
        attrs.answered(rmdir, List.of());
        attrs.answered(create, List.of(directory(OTHER, 2, 2)));
        assertThat(attrs.answer(header(FuseOpcode.GETATTR, OTHER)))
                .as("learned during an rmdir")
                .isEmpty();
    }

    @Test
    void nothingIsKeptBeyondTheLimit() {
        for (long node = 1; node <= DirectoryAttrs.MAX_KEPT + 10; node++) {
            change(FuseOpcode.MKNOD, node, directory(node, 1, 2));
        }
        assertThat(attrs.kept()).isEqualTo(DirectoryAttrs.MAX_KEPT);
        now.addAndGet(2 * SECOND);
        long fresh = DirectoryAttrs.MAX_KEPT + 100;
        change(FuseOpcode.MKNOD, fresh, directory(fresh, 1, 2));
        assertThat(attrs.kept()).as("the expired forgotten").isOne();
    }

    private void change(FuseOpcode kind, long dir, PostOpAttrs.Directory after) {
        var h = header(kind, dir);
        attrs.sending(h);
        attrs.answered(h, List.of(after));
    }

    private FuseInHeader header(FuseOpcode kind, long nodeid) {
        return new FuseInHeader(64, kind.code(), ++unique, nodeid, 0, 0, 1, 0);
    }

    /** As the host sends it: attributes valid for one second. */
    private static PostOpAttrs.Directory directory(long nodeid, long mtime, int nlink) {
        var attr = new FuseAttr(nodeid + 100, 4096, 8, mtime, mtime, mtime, 0, 0, 0, 040755, nlink, 0, 0, 0, 4096, 0);
        ByteBuffer reply = FuseReplies.attr(0, 1, 0, attr).order(ByteOrder.LITTLE_ENDIAN);
        return new PostOpAttrs.Directory(nodeid, reply.slice(FuseProtocol.OUT_HEADER_SIZE, FuseProtocol.ATTR_OUT_SIZE));
    }

    /** fuse_attr's mtime: after attr_valid (8), attr_valid_nsec (4), dummy (4), ino, size, blocks, atime. */
    private static long mtime(ByteBuffer reply) {
        return reply.getLong(FuseProtocol.OUT_HEADER_SIZE + 16 + 32);
    }
}
