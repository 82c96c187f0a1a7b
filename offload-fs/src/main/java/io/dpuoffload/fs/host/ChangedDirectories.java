package io.dpuoffload.fs.host;

import io.dpuoffload.fs.allowlist.Operation;
import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.fs.wire.PostOpAttrs;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Metadata;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories a name-changing operation changed, and their attributes afterwards, for the
 * DPU's post-operation attributes ({@link PostOpAttrs}). Read after the operation, on its thread,
 * while its descriptors are still pinned: what the DPU's kernel would get from a GETATTR now.
 */
final class ChangedDirectories {
    private static final long[] NONE = {};

    /** The node ids of the directories {@code op} changes the names of; none for other operations. */
    static long[] of(FuseInHeader h, FuseOperation op) {
        return switch (op) {
            case FuseOperation.Create _,
                    FuseOperation.Mknod _,
                    FuseOperation.Mkdir _,
                    FuseOperation.Symlink _,
                    FuseOperation.Link _,
                    FuseOperation.Unlink _,
                    FuseOperation.Rmdir _ -> new long[] {h.nodeid()};
            case FuseOperation.Rename r -> both(h.nodeid(), r.newdir());
            case FuseOperation.Rename2 r -> both(h.nodeid(), r.newdir());
            default -> NONE;
        };
    }

    /**
     * Their attributes now, each as the host answers a GETATTR (with the export's TTL). A directory
     * the caller may not getattr by the allowlist, or whose attributes cannot be read, is left out:
     * the DPU's kernel then asks for them as before.
     */
    static List<PostOpAttrs.Directory> after(HostSession s, FuseInHeader h, FuseOperation op) {
        long[] nodes = of(h, op);
        List<PostOpAttrs.Directory> directories = new ArrayList<>(nodes.length);
        for (long node : nodes) {
            try {
                Inode inode = s.inodes.get(node);
                if (!s.allows(Operation.GETATTR, inode)) {
                    continue;
                }
                ByteBuffer reply = FuseReplies.attr(
                        0, s.attrs.ttlSeconds(), s.attrs.ttlNanos(), s.attr(inode, Metadata.fstat(inode.fd())));
                directories.add(new PostOpAttrs.Directory(
                        node, reply.slice(FuseProtocol.OUT_HEADER_SIZE, FuseProtocol.ATTR_OUT_SIZE)));
            } catch (ErrnoException e) {
                // left out: the DPU asks the host
            }
        }
        return directories;
    }

    private static long[] both(long from, long to) {
        return from == to ? new long[] {from} : new long[] {from, to};
    }

    private ChangedDirectories() {}
}
