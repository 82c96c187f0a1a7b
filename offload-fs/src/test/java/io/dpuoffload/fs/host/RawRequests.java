package io.dpuoffload.fs.host;

import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseRequest;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** FUSE requests made by hand and run on a host session as root, for tests of what the host answers. */
final class RawRequests {
    private static final AtomicLong UNIQUE = new AtomicLong(100);

    private RawRequests() {}

    /** The host's reply, which the caller releases. */
    static ByteBuf execute(HostSession session, FuseOpcode opcode, long nodeid, FuseOperation operation) {
        var header = new FuseInHeader(0, opcode.code(), UNIQUE.incrementAndGet(), nodeid, 0, 0, 1, 0);
        return PassthroughFs.execute(session, new FuseRequest(header, operation, List.of()));
    }

    /** The reply's error field: 0 or a negative errno. */
    static int error(HostSession session, FuseOpcode opcode, long nodeid, FuseOperation operation) {
        ByteBuf reply = execute(session, opcode, nodeid, operation);
        try {
            return reply.getIntLE(4);
        } finally {
            reply.release();
        }
    }
}
