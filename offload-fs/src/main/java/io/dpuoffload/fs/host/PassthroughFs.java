package io.dpuoffload.fs.host;

import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseOperation.*;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.fs.fuse.FuseRequest;
import io.dpuoffload.fs.wire.PostOpAttrs;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * One FUSE request executed on the host: an exhaustive dispatch on the operation, each case a thin
 * call into the op classes. Every host errno reaches the caller exactly; nothing else becomes an
 * errno except through {@link #errnoOf}.
 */
final class PassthroughFs {

    /** Runs {@code request}; null for requests the kernel expects no answer to (FORGET). */
    static ByteBuf execute(HostSession s, FuseRequest request) {
        return execute(s, request, false);
    }

    /**
     * The same; with {@code postOpAttrs}, a name-changing operation that succeeded is answered with
     * the attributes of the directories it changed behind the reply (see {@link PostOpAttrs}).
     */
    static ByteBuf execute(HostSession s, FuseRequest request, boolean postOpAttrs) {
        FuseInHeader h = request.header();
        try {
            ByteBuf reply = dispatch(s, h, request.operation());
            if (postOpAttrs && reply != null && reply.getIntLE(reply.readerIndex() + 4) == 0) {
                var directories = ChangedDirectories.after(s, h, request.operation());
                ByteBuf behind = Unpooled.buffer(2 + directories.size() * (8 + FuseProtocol.ATTR_OUT_SIZE));
                PostOpAttrs.append(behind, directories);
                return Unpooled.wrappedBuffer(reply, behind);
            }
            return reply;
        } catch (ErrnoException e) {
            return wrap(FuseReplies.error(h.unique(), e.errno()));
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(PassthroughFs.class)
                    .error("{} on export {} failed unexpectedly", h.kind(), s.export.name(), e);
            return wrap(FuseReplies.error(h.unique(), Errno.EIO));
        } finally {
            s.inodes.endRequest();
        }
    }

    private static ByteBuf dispatch(HostSession s, FuseInHeader h, FuseOperation op) throws ErrnoException {
        return switch (op) {
            case Lookup o -> wrap(EntryOps.lookup(s, h, o));
            case Forget o -> {
                s.inodes.forget(h.nodeid(), o.nlookup());
                yield null;
            }
            case BatchForget o -> {
                o.forgets().forEach(f -> s.inodes.forget(f.nodeid(), f.nlookup()));
                yield null;
            }
            case Getattr o -> wrap(AttrOps.getattr(s, h));
            case Setattr o -> wrap(AttrOps.setattr(s, h, o));
            case Readlink o -> wrap(AttrOps.readlink(s, h));
            case Access o -> wrap(AttrOps.access(s, h, o));
            case Statfs o -> wrap(AttrOps.statfs(s, h));
            case Symlink o -> wrap(EntryOps.symlink(s, h, o));
            case Mknod o -> wrap(EntryOps.mknod(s, h, o));
            case Mkdir o -> wrap(EntryOps.mkdir(s, h, o));
            case Unlink o -> wrap(EntryOps.unlink(s, h, o));
            case Rmdir o -> wrap(EntryOps.rmdir(s, h, o));
            case Rename o -> wrap(EntryOps.rename(s, h, o.newdir(), 0, o.oldname(), o.newname()));
            case Rename2 o -> wrap(EntryOps.rename(s, h, o.newdir(), o.flags(), o.oldname(), o.newname()));
            case Link o -> wrap(EntryOps.link(s, h, o));
            case Create o -> wrap(EntryOps.create(s, h, o));
            case Open o -> wrap(FileOps.open(s, h, o));
            case Read o -> FileOps.read(s, h, o);
            case Write o -> wrap(FileOps.write(s, h, o));
            case Flush o -> wrap(FileOps.flush(h));
            case Release o -> wrap(FileOps.release(s, h, o.fh()));
            case Fsync o -> wrap(FileOps.fsync(s, h, o.fh(), o.datasync()));
            case Fallocate o -> wrap(FileOps.fallocate(s, h, o));
            case Lseek o -> wrap(FileOps.lseek(s, h, o));
            case Opendir o -> wrap(FileOps.opendir(s, h));
            case Readdir o -> wrap(FileOps.readdir(s, h, o));
            case Releasedir o -> wrap(FileOps.release(s, h, o.fh()));
            case Fsyncdir o -> wrap(FileOps.fsync(s, h, o.fh(), (o.fsyncFlags() & 1) != 0));
            case Getxattr o -> wrap(XattrOps.get(s, h, o));
            case Listxattr o -> wrap(XattrOps.list(s, h, o));
            case Setxattr o -> wrap(XattrOps.set(s, h, o));
            case Removexattr o -> wrap(XattrOps.remove(s, h, o));
            case Syncfs o -> wrap(FuseReplies.ok(h.unique()));
            // Not offered: the DPU kernel keeps locks itself, and falls back by itself for statx.
            case Ioctl o -> wrap(FuseReplies.error(h.unique(), Errno.ENOTTY));
            case ReaddirPlus o -> wrap(FuseReplies.error(h.unique(), Errno.ENOSYS));
            case Statx o -> wrap(FuseReplies.error(h.unique(), Errno.ENOSYS));
            case Tmpfile o -> wrap(EntryOps.tmpfile(s, h, o));
            case CopyFileRange o ->
                wrap(FuseReplies.write(h.unique(), (int)
                        FileOps.copyFileRange(s, o.fhIn(), o.offIn(), o.fhOut(), o.offOut(), o.len(), o.flags())));
            case CopyFileRange64 o ->
                wrap(FuseReplies.copyFileRange64(
                        h.unique(),
                        FileOps.copyFileRange(s, o.fhIn(), o.offIn(), o.fhOut(), o.offOut(), o.len(), o.flags())));
            case Poll o -> wrap(FileOps.poll(s, h, o));
            case Getlk o -> wrap(FuseReplies.error(h.unique(), Errno.ENOSYS));
            case Setlk o -> wrap(FuseReplies.error(h.unique(), Errno.ENOSYS));
            case Setlkw o -> wrap(FuseReplies.error(h.unique(), Errno.ENOSYS));
            case Bmap o -> wrap(FuseReplies.error(h.unique(), Errno.ENOSYS));
            case SetupMapping o -> wrap(FuseReplies.error(h.unique(), Errno.ENOSYS));
            case RemoveMapping o -> wrap(FuseReplies.error(h.unique(), Errno.ENOSYS));
            // Handled on the DPU, never forwarded.
            case Init o -> wrap(FuseReplies.error(h.unique(), Errno.EPROTO));
            case Destroy o -> wrap(FuseReplies.ok(h.unique()));
            case Interrupt o -> null;
            case NotifyReply o -> null;
            case Unknown o -> wrap(FuseReplies.error(h.unique(), Errno.ENOSYS));
        };
    }

    private static ByteBuf wrap(ByteBuffer reply) {
        return Unpooled.wrappedBuffer(reply);
    }

    private PassthroughFs() {}
}
