package io.dpuoffload.fs.fuse;

import io.dpuoffload.fs.fuse.FuseOperation.*;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one request as the kernel writes it to /dev/fuse: {@code fuse_in_header}, the opcode's
 * argument structures and strings, then (7.38) extensions of {@code total_extlen} 8-byte units. Every
 * argument region must be used exactly — the kernel sends exact sizes — except INIT's, which may grow
 * with the kernel's version. Sizes that depend on the connection follow {@link FuseNegotiated}: {@code
 * fuse_setxattr_in} is 16 bytes with {@link FuseProtocol#SETXATTR_EXT} and 8 without; {@code
 * fuse_init_in} is read by length (16 bytes before 7.36, 64 since). All other structures have had their
 * current size since 7.31, the oldest minor accepted.
 *
 * <p>Pure: no I/O, and the input is never modified. WRITE, IOCTL and NOTIFY_REPLY payloads are views of
 * the input, not copies.
 */
public final class FuseRequestDecoder {

    /** FUSE_INIT seen with the other byte order, reserved by fuse.h to detect a wrong-endian peer. */
    private static final int INIT_BYTE_SWAPPED = FuseOpcode.INIT.code() << 24;

    private FuseRequestDecoder() {}

    /**
     * Decodes the request that fills {@code frame} from its position to its limit (one read of
     * /dev/fuse, or one forwarded frame). The frame's position, limit and byte order are left alone.
     *
     * @throws FuseProtocolException if the frame is not exactly one well-formed request
     */
    public static FuseRequest decode(ByteBuffer frame, FuseNegotiated negotiated) throws FuseProtocolException {
        FuseInHeader header = FuseInHeader.read(frame);
        int length = frame.remaining();
        if (Integer.toUnsignedLong(header.len()) != length) {
            throw new FuseProtocolException("request length " + Integer.toUnsignedString(header.len())
                    + " disagrees with its " + length + " bytes");
        }
        if (header.opcode() == INIT_BYTE_SWAPPED) {
            throw new FuseProtocolException("byte-swapped INIT: the peer uses the other byte order");
        }
        int argsEnd = length - header.extensionBytes();
        if (argsEnd < FuseProtocol.IN_HEADER_SIZE) {
            throw new FuseProtocolException(
                    "extensions of " + header.extensionBytes() + " bytes overrun a " + length + "-byte request");
        }
        ByteBuffer b = frame.slice().order(ByteOrder.LITTLE_ENDIAN);
        FuseOpcode kind = header.kind();
        WireReader args = new WireReader(b, FuseProtocol.IN_HEADER_SIZE, argsEnd, kind.name());
        FuseOperation operation = arguments(kind, header.opcode(), args, negotiated);
        List<Integer> groups = argsEnd == length
                ? List.of()
                : extensions(new WireReader(b, argsEnd, length, kind.name() + " extensions"));
        return new FuseRequest(header, operation, groups);
    }

    private static FuseOperation arguments(FuseOpcode kind, int rawOpcode, WireReader r, FuseNegotiated n)
            throws FuseProtocolException {
        FuseOperation op =
                switch (kind) {
                    case LOOKUP -> new Lookup(r.cstring("name"));
                    case FORGET -> new Forget(r.u64("nlookup"));
                    case BATCH_FORGET -> batchForget(r);
                    case GETATTR -> {
                        int flags = r.u32("getattr_flags");
                        r.skip(4, "dummy");
                        yield new Getattr(flags, r.u64("fh"));
                    }
                    case SETATTR -> setattr(r);
                    case STATX -> {
                        int flags = r.u32("getattr_flags");
                        r.skip(4, "reserved");
                        yield new Statx(flags, r.u64("fh"), r.u32("sx_flags"), r.u32("sx_mask"));
                    }
                    case ACCESS -> {
                        int mask = r.u32("mask");
                        r.skip(4, "padding");
                        yield new Access(mask);
                    }
                    case READLINK -> new Readlink();
                    case SYMLINK -> new Symlink(r.cstring("name"), r.cstring("target"));
                    case MKNOD -> {
                        int mode = r.u32("mode");
                        int rdev = r.u32("rdev");
                        int umask = r.u32("umask");
                        r.skip(4, "padding");
                        yield new Mknod(mode, rdev, umask, r.cstring("name"));
                    }
                    case MKDIR -> new Mkdir(r.u32("mode"), r.u32("umask"), r.cstring("name"));
                    case UNLINK -> new Unlink(r.cstring("name"));
                    case RMDIR -> new Rmdir(r.cstring("name"));
                    case RENAME -> new Rename(r.u64("newdir"), r.cstring("oldname"), r.cstring("newname"));
                    case RENAME2 -> {
                        long newdir = r.u64("newdir");
                        int flags = r.u32("flags");
                        r.skip(4, "padding");
                        yield new Rename2(newdir, flags, r.cstring("oldname"), r.cstring("newname"));
                    }
                    case LINK -> new Link(r.u64("oldnodeid"), r.cstring("newname"));
                    case CREATE ->
                        new Create(
                                r.u32("flags"), r.u32("mode"), r.u32("umask"), r.u32("open_flags"), r.cstring("name"));
                    case TMPFILE ->
                        new Tmpfile(
                                r.u32("flags"), r.u32("mode"), r.u32("umask"), r.u32("open_flags"), r.cstring("name"));
                    case OPEN -> new Open(r.u32("flags"), r.u32("open_flags"));
                    case OPENDIR -> new Opendir(r.u32("flags"), r.u32("open_flags"));
                    case READ -> read(r);
                    case READDIR -> {
                        Read in = read(r);
                        yield new Readdir(in.fh(), in.offset(), in.size());
                    }
                    case READDIRPLUS -> {
                        Read in = read(r);
                        yield new ReaddirPlus(in.fh(), in.offset(), in.size());
                    }
                    case WRITE -> write(r);
                    case FLUSH -> {
                        long fh = r.u64("fh");
                        r.skip(8, "unused, padding");
                        yield new Flush(fh, r.u64("lock_owner"));
                    }
                    case RELEASE ->
                        new Release(r.u64("fh"), r.u32("flags"), r.u32("release_flags"), r.u64("lock_owner"));
                    case RELEASEDIR ->
                        new Releasedir(r.u64("fh"), r.u32("flags"), r.u32("release_flags"), r.u64("lock_owner"));
                    case FSYNC -> {
                        long fh = r.u64("fh");
                        int flags = r.u32("fsync_flags");
                        r.skip(4, "padding");
                        yield new Fsync(fh, flags);
                    }
                    case FSYNCDIR -> {
                        long fh = r.u64("fh");
                        int flags = r.u32("fsync_flags");
                        r.skip(4, "padding");
                        yield new Fsyncdir(fh, flags);
                    }
                    case FALLOCATE -> {
                        Fallocate f = new Fallocate(r.u64("fh"), r.u64("offset"), r.u64("length"), r.u32("mode"));
                        r.skip(4, "padding");
                        yield f;
                    }
                    case LSEEK -> {
                        Lseek l = new Lseek(r.u64("fh"), r.u64("offset"), r.u32("whence"));
                        r.skip(4, "padding");
                        yield l;
                    }
                    case COPY_FILE_RANGE ->
                        new CopyFileRange(
                                r.u64("fh_in"),
                                r.u64("off_in"),
                                r.u64("nodeid_out"),
                                r.u64("fh_out"),
                                r.u64("off_out"),
                                r.u64("len"),
                                r.u64("flags"));
                    case COPY_FILE_RANGE_64 ->
                        new CopyFileRange64(
                                r.u64("fh_in"),
                                r.u64("off_in"),
                                r.u64("nodeid_out"),
                                r.u64("fh_out"),
                                r.u64("off_out"),
                                r.u64("len"),
                                r.u64("flags"));
                    case POLL -> new Poll(r.u64("fh"), r.u64("kh"), r.u32("flags"), r.u32("events"));
                    case IOCTL -> ioctl(r);
                    case GETLK -> {
                        LkIn in = lk(r);
                        yield new Getlk(in.fh, in.owner, in.lock, in.lkFlags);
                    }
                    case SETLK -> {
                        LkIn in = lk(r);
                        yield new Setlk(in.fh, in.owner, in.lock, in.lkFlags);
                    }
                    case SETLKW -> {
                        LkIn in = lk(r);
                        yield new Setlkw(in.fh, in.owner, in.lock, in.lkFlags);
                    }
                    case BMAP -> {
                        Bmap bmap = new Bmap(r.u64("block"), r.u32("blocksize"));
                        r.skip(4, "padding");
                        yield bmap;
                    }
                    case SETXATTR -> setxattr(r, n);
                    case GETXATTR -> {
                        int size = r.u32("size");
                        r.skip(4, "padding");
                        yield new Getxattr(size, r.cstring("name"));
                    }
                    case LISTXATTR -> {
                        int size = r.u32("size");
                        r.skip(4, "padding");
                        yield new Listxattr(size);
                    }
                    case REMOVEXATTR -> new Removexattr(r.cstring("name"));
                    case STATFS -> new Statfs();
                    case SYNCFS -> {
                        r.skip(8, "padding");
                        yield new Syncfs();
                    }
                    case DESTROY -> new Destroy();
                    case INTERRUPT -> new Interrupt(r.u64("unique"));
                    case NOTIFY_REPLY -> notifyReply(r);
                    case SETUPMAPPING ->
                        new SetupMapping(r.u64("fh"), r.u64("foffset"), r.u64("len"), r.u64("flags"), r.u64("moffset"));
                    case REMOVEMAPPING -> removeMapping(r);
                    case INIT -> init(r);
                    case UNKNOWN -> new Unknown(rawOpcode);
                };
        // INIT may carry more than we know (a newer kernel's larger fuse_init_in), and an unknown
        // opcode's payload means nothing to us: only the others must use their arguments exactly.
        if (kind != FuseOpcode.INIT && kind != FuseOpcode.UNKNOWN) {
            r.expectEnd();
        }
        return op;
    }

    private static Setattr setattr(WireReader r) throws FuseProtocolException {
        int valid = r.u32("valid");
        r.skip(4, "padding");
        long fh = r.u64("fh");
        long size = r.u64("size");
        long lockOwner = r.u64("lock_owner");
        long atime = r.u64("atime");
        long mtime = r.u64("mtime");
        long ctime = r.u64("ctime");
        int atimensec = r.u32("atimensec");
        int mtimensec = r.u32("mtimensec");
        int ctimensec = r.u32("ctimensec");
        int mode = r.u32("mode");
        r.skip(4, "unused4");
        int uid = r.u32("uid");
        int gid = r.u32("gid");
        r.skip(4, "unused5");
        return new Setattr(
                valid, fh, size, lockOwner, atime, mtime, ctime, atimensec, mtimensec, ctimensec, mode, uid, gid);
    }

    /** {@code fuse_read_in}, shared by READ, READDIR and READDIRPLUS. */
    private static Read read(WireReader r) throws FuseProtocolException {
        Read read = new Read(
                r.u64("fh"), r.u64("offset"), r.u32("size"), r.u32("read_flags"), r.u64("lock_owner"), r.u32("flags"));
        r.skip(4, "padding");
        return read;
    }

    private static Write write(WireReader r) throws FuseProtocolException {
        long fh = r.u64("fh");
        long offset = r.u64("offset");
        int size = r.u32("size");
        int writeFlags = r.u32("write_flags");
        long lockOwner = r.u64("lock_owner");
        int flags = r.u32("flags");
        r.skip(4, "padding");
        r.expectRemaining(Integer.toUnsignedLong(size), "size");
        return new Write(fh, offset, size, writeFlags, lockOwner, flags, r.slice(size, "data"));
    }

    private static Setxattr setxattr(WireReader r, FuseNegotiated n) throws FuseProtocolException {
        int size = r.u32("size");
        int flags = r.u32("flags");
        int setxattrFlags = 0;
        if (n.has(FuseProtocol.SETXATTR_EXT)) {
            setxattrFlags = r.u32("setxattr_flags");
            r.skip(4, "padding");
        }
        byte[] name = r.cstring("name");
        r.expectRemaining(Integer.toUnsignedLong(size), "size");
        return new Setxattr(size, flags, setxattrFlags, name, r.bytes(size, "value"));
    }

    private static Ioctl ioctl(WireReader r) throws FuseProtocolException {
        long fh = r.u64("fh");
        int flags = r.u32("flags");
        int cmd = r.u32("cmd");
        long arg = r.u64("arg");
        int inSize = r.u32("in_size");
        int outSize = r.u32("out_size");
        r.expectRemaining(Integer.toUnsignedLong(inSize), "in_size");
        return new Ioctl(fh, flags, cmd, arg, inSize, outSize, r.slice(inSize, "in data"));
    }

    private record LkIn(long fh, long owner, FuseFileLock lock, int lkFlags) {}

    private static LkIn lk(WireReader r) throws FuseProtocolException {
        long fh = r.u64("fh");
        long owner = r.u64("owner");
        FuseFileLock lock = new FuseFileLock(r.u64("lk.start"), r.u64("lk.end"), r.u32("lk.type"), r.u32("lk.pid"));
        int lkFlags = r.u32("lk_flags");
        r.skip(4, "padding");
        return new LkIn(fh, owner, lock, lkFlags);
    }

    private static BatchForget batchForget(WireReader r) throws FuseProtocolException {
        int count = r.u32("count");
        r.skip(4, "dummy");
        r.expectRemaining(Integer.toUnsignedLong(count) * 16, "count");
        List<ForgetOne> forgets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            forgets.add(new ForgetOne(r.u64("nodeid"), r.u64("nlookup")));
        }
        return new BatchForget(List.copyOf(forgets));
    }

    private static NotifyReply notifyReply(WireReader r) throws FuseProtocolException {
        r.skip(8, "dummy1");
        long offset = r.u64("offset");
        int size = r.u32("size");
        r.skip(20, "dummy2..4");
        r.expectRemaining(Integer.toUnsignedLong(size), "size");
        return new NotifyReply(offset, size, r.slice(size, "data"));
    }

    /** {@code fuse_removemapping_in} is a lone u32: the 16-byte entries follow it unaligned. */
    private static RemoveMapping removeMapping(WireReader r) throws FuseProtocolException {
        int count = r.u32("count");
        r.expectRemaining(Integer.toUnsignedLong(count) * 16, "count");
        List<MappingRange> ranges = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ranges.add(new MappingRange(r.u64("moffset"), r.u64("len")));
        }
        return new RemoveMapping(List.copyOf(ranges));
    }

    private static Init init(WireReader r) throws FuseProtocolException {
        int major = r.u32("major");
        int minor = r.u32("minor");
        if (r.remaining() < 8) {
            // A kernel of another major version (or older than 7.6) need send no more.
            return new Init(major, minor, 0, 0, 0);
        }
        int maxReadahead = r.u32("max_readahead");
        int flags = r.u32("flags");
        int flags2 = (flags & FuseProtocol.INIT_EXT) != 0 ? r.u32("flags2") : 0;
        return new Init(major, minor, maxReadahead, flags, flags2);
    }

    /** Walks the {@code fuse_ext_header} chain; returns the supplementary groups found. */
    private static List<Integer> extensions(WireReader r) throws FuseProtocolException {
        List<Integer> groups = new ArrayList<>();
        while (r.remaining() > 0) {
            int size = r.u32("size");
            int type = r.u32("type");
            if (size < 8 || size % 8 != 0 || size - 8 > r.remaining()) {
                throw new FuseProtocolException("extension of type " + type + " has bad size "
                        + Integer.toUnsignedString(size) + " with " + r.remaining() + " bytes left");
            }
            WireReader body = r.sub(size - 8, "type " + type);
            if (type == FuseProtocol.EXT_GROUPS) {
                int count = body.u32("nr_groups");
                if (Integer.toUnsignedLong(count) * 4 > body.remaining()) {
                    throw new FuseProtocolException("supplementary groups: " + Integer.toUnsignedString(count)
                            + " groups in " + body.remaining() + " bytes");
                }
                for (int i = 0; i < count; i++) {
                    groups.add(body.u32("group"));
                }
            }
            // Security contexts (types 0..31) are only sent with FUSE_SECURITY_CTX, which we never ask
            // for; they and unknown types are skipped.
        }
        return groups;
    }
}
