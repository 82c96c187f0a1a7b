package io.dpuoffload.fs.host;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Node ids and file handles as the DPU's kernel holds them: {@code epoch << 40 | counter}, counted
 * for the whole host process rather than per session. A mount that reconnects gets a new session
 * while its kernel still holds the old session's ids; numbered per session, the new session's
 * first lookup got the id of a file the DPU had cached under another name, and that name then
 * opened the new file. Counted here, an old id is unknown to the new session (ESTALE, and the DPU's
 * kernel looks the name up again; EBADF for an old handle). The random epoch does the same across
 * runs of the host server.
 */
final class HostIds {
    private static final int EPOCH = 1 + new SecureRandom().nextInt(0xFFFF);
    private static final long COUNTER_MASK = (1L << 40) - 1;

    /** 1 is every session's export root (FUSE's fixed root id), never counted. */
    private static final AtomicLong NODES = new AtomicLong(1);

    private static final AtomicLong HANDLES = new AtomicLong();

    private HostIds() {}

    static long nextNodeId() {
        return withEpoch(NODES.incrementAndGet());
    }

    static long nextFileHandle() {
        return withEpoch(HANDLES.incrementAndGet());
    }

    private static long withEpoch(long count) {
        return ((long) EPOCH << 40) | (count & COUNTER_MASK);
    }
}
