package io.dpuoffload.fs.fuse;

import static io.dpuoffload.fs.fuse.RequestFrames.request;

/**
 * One well-formed request per opcode, its arguments sized as fuse.h says: the corpus for the
 * exhaustiveness, truncation and mutation tests. The switch has no default, so a new opcode does not
 * compile until it has a fixture here.
 */
final class MinimalRequests {

    /** What the fixtures are decoded with: 7.45 and every flag that changes a layout. */
    static final FuseNegotiated NEGOTIATED =
            new FuseNegotiated(FuseProtocol.KERNEL_MINOR_VERSION, FuseInitOptions.DEFAULT_FLAGS);

    private MinimalRequests() {}

    static RequestFrames of(FuseOpcode op) {
        RequestFrames r = request(op);
        return switch (op) {
            case LOOKUP, UNLINK, RMDIR, REMOVEXATTR -> r.string("a");
            case FORGET -> r.struct(8, s -> s.putLong(0, 1));
            case BATCH_FORGET ->
                r.struct(8, s -> s.putInt(0, 1)).struct(16, s -> s.putLong(0, 5).putLong(8, 1));
            case GETATTR -> r.struct(16, s -> {});
            case SETATTR ->
                r.struct(88, s -> s.putInt(0, FuseProtocol.FATTR_MODE).putInt(68, 0644));
            case STATX -> r.struct(24, s -> s.putInt(20, 0xfff));
            case ACCESS -> r.struct(8, s -> s.putInt(0, 4));
            case READLINK, STATFS, DESTROY -> r;
            case SYMLINK -> r.string("a").string("b");
            case MKNOD -> r.struct(16, s -> s.putInt(0, 0010644)).string("a");
            case MKDIR -> r.struct(8, s -> s.putInt(0, 0755)).string("a");
            case RENAME -> r.struct(8, s -> s.putLong(0, 1)).string("a").string("b");
            case RENAME2 ->
                r.struct(16, s -> s.putLong(0, 1).putInt(8, 1)).string("a").string("b");
            case LINK -> r.struct(8, s -> s.putLong(0, 9)).string("a");
            case CREATE, TMPFILE -> r.struct(16, s -> s.putInt(4, 0100644)).string("a");
            case OPEN, OPENDIR -> r.struct(8, s -> {});
            case READ, READDIR, READDIRPLUS -> r.struct(40, s -> s.putInt(16, 4096));
            case WRITE -> r.struct(40, s -> s.putInt(16, 3)).bytes(new byte[] {1, 2, 3});
            case FLUSH, RELEASE, RELEASEDIR -> r.struct(24, s -> s.putLong(0, 3));
            case FSYNC, FSYNCDIR -> r.struct(16, s -> s.putLong(0, 3));
            case FALLOCATE -> r.struct(32, s -> s.putLong(16, 10));
            case LSEEK -> r.struct(24, s -> s.putInt(16, 3));
            case COPY_FILE_RANGE, COPY_FILE_RANGE_64 -> r.struct(56, s -> s.putLong(40, 10));
            case POLL -> r.struct(24, s -> s.putInt(20, 1));
            case IOCTL -> r.struct(32, s -> s.putInt(24, 2)).bytes(new byte[] {7, 8});
            case GETLK, SETLK, SETLKW -> r.struct(48, s -> s.putLong(24, Long.MAX_VALUE));
            case BMAP -> r.struct(16, s -> s.putInt(8, 4096));
            case SETXATTR -> r.struct(16, s -> s.putInt(0, 2)).string("user.a").bytes(new byte[] {1, 2});
            case GETXATTR -> r.struct(8, s -> {}).string("user.a");
            case LISTXATTR -> r.struct(8, s -> {});
            case SYNCFS -> r.struct(8, s -> {});
            case INTERRUPT -> r.struct(8, s -> s.putLong(0, 40));
            case NOTIFY_REPLY -> r.struct(40, s -> s.putInt(16, 2)).bytes(new byte[] {5, 6});
            case SETUPMAPPING -> r.struct(40, s -> s.putLong(16, 4096));
            case REMOVEMAPPING -> r.struct(4, s -> s.putInt(0, 1)).struct(16, s -> s.putLong(8, 4096));
            case INIT ->
                r.struct(64, s -> s.putInt(0, 7)
                        .putInt(4, 45)
                        .putInt(8, 131072)
                        .putInt(12, (int) (FuseProtocol.ASYNC_READ | FuseProtocol.INIT_EXT))
                        .putInt(16, 1));
            case UNKNOWN -> RequestFrames.request(7).struct(8, s -> {});
        };
    }
}
