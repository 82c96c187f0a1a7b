package io.dpuoffload.fs.wire;

import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseProtocolException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories' attributes after a name-changing operation (create, mknod, mkdir, symlink,
 * link, unlink, rmdir, rename), sent by the host behind the FUSE reply. The DPU's kernel marks a
 * directory's attributes stale after each such operation and, where it checks permissions itself,
 * asks for them before the next one; with these the DPU answers that GETATTR itself (see
 * client.DirectoryAttrs), as NFS clients use the post-operation attributes of a reply.
 *
 * <p>Negotiated, so that older peers never see it: the host offers {@link #FEATURE} in its ATTACH
 * reply ({@link ExportPolicy#features}), and the DPU asks for it in the OP prefix of each
 * name-changing request ({@link FsWire#writeOpPrefix}). Only then, and only after a success, does the
 * host append, after the FUSE reply (whose header gives its length):
 *
 * <pre>
 * u16 count (at most {@link #MAX_DIRECTORIES}), then count × { u64 nodeid, fuse_attr_out }
 * </pre>
 *
 * little-endian like the FUSE reply; fuse_attr_out as the host would answer a GETATTR, attribute
 * lifetime included. A directory whose attributes the host could not read is left out.
 */
public final class PostOpAttrs {
    /** The feature bit, in ATTACH's features and in the OP prefix. */
    public static final int FEATURE = 1;

    /** A rename changes two directories; every other operation one. */
    public static final int MAX_DIRECTORIES = 2;

    private static final int ENTRY_BYTES = 8 + FuseProtocol.ATTR_OUT_SIZE;

    /** One directory's attributes: {@code attrOut} is a fuse_attr_out (the GETATTR reply after its header). */
    public record Directory(long nodeid, ByteBuffer attrOut) {
        public Directory {
            if (attrOut.remaining() != FuseProtocol.ATTR_OUT_SIZE) {
                throw new IllegalArgumentException("fuse_attr_out of " + attrOut.remaining() + " bytes");
            }
        }
    }

    /** A host reply taken apart: the FUSE reply for the kernel, and the directories behind it. */
    public record Split(ByteBuffer fuseReply, List<Directory> directories) {}

    /** Appends {@code directories} to {@code reply}, which holds one whole FUSE reply. */
    public static void append(ByteBuf reply, List<Directory> directories) {
        if (directories.size() > MAX_DIRECTORIES) {
            throw new IllegalArgumentException(directories.size() + " directories");
        }
        reply.writeShortLE(directories.size());
        for (Directory d : directories) {
            reply.writeLongLE(d.nodeid());
            reply.writeBytes(d.attrOut().duplicate());
        }
    }

    /**
     * Takes {@code hostReply} (little-endian, a FUSE reply and maybe the directories behind it)
     * apart; the buffers returned are views of it. Anything else behind the reply is the host's
     * error: the whole reply is then refused.
     */
    public static Split split(ByteBuffer hostReply) throws FuseProtocolException {
        ByteBuffer in = hostReply.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < FuseProtocol.OUT_HEADER_SIZE) {
            throw new FuseProtocolException("a reply of " + in.remaining() + " bytes");
        }
        int length = in.getInt(in.position());
        if (length < FuseProtocol.OUT_HEADER_SIZE || length > in.remaining()) {
            throw new FuseProtocolException("a reply of " + length + " bytes in " + in.remaining());
        }
        ByteBuffer fuseReply = in.slice(in.position(), length).order(ByteOrder.LITTLE_ENDIAN);
        int rest = in.remaining() - length;
        if (rest == 0) {
            return new Split(fuseReply, List.of());
        }
        int at = in.position() + length;
        int count = rest >= 2 ? Short.toUnsignedInt(in.getShort(at)) : -1;
        if (count < 0 || count > MAX_DIRECTORIES || rest != 2 + count * ENTRY_BYTES) {
            throw new FuseProtocolException("post-operation attributes of " + rest + " bytes behind the reply");
        }
        List<Directory> directories = new ArrayList<>(count);
        for (int i = 0, entry = at + 2; i < count; i++, entry += ENTRY_BYTES) {
            directories.add(new Directory(
                    in.getLong(entry),
                    in.slice(entry + 8, FuseProtocol.ATTR_OUT_SIZE).order(ByteOrder.LITTLE_ENDIAN)));
        }
        return new Split(fuseReply, directories);
    }

    private PostOpAttrs() {}
}
