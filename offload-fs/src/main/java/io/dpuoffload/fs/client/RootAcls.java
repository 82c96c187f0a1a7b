package io.dpuoffload.fs.client;

import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseNegotiated;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseProtocolException;
import io.dpuoffload.fs.fuse.FuseRequestDecoder;
import io.dpuoffload.linux.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The export root's POSIX ACLs, answered on the DPU for one TTL. Where the DPU's kernel checks
 * permissions (FsMount#KERNEL_CHECKS) it caches each inode's ACLs, but not the root's: the root
 * inode is made before INIT agrees on FUSE_POSIX_ACL, and an inode made without it never caches
 * ACLs. Every path walk by a user who does not own the root would then fetch the root's
 * system.posix_acl_access from the host again: measured, 4 requests instead of 2 for a stat and an
 * open as such a user. So these replies are kept here for the export's TTL, the time the kernel
 * trusts other inodes' ACLs for, and dropped at once when the root changes through the mount.
 */
final class RootAcls {
    private static final String ACL_PREFIX = "system.posix_acl_";

    private record Kept(ByteBuffer reply, long expiresNanos) {}

    private final long ttlNanos;
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();
    /** Requests sent to the host for a reply to keep: unique → what it is kept under. */
    private final Map<Long, String> asked = new ConcurrentHashMap<>();

    RootAcls(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    /**
     * A reply to {@code header}'s request from what is kept, with its unique; empty when the host must
     * answer (then {@link #learn} keeps its reply). Any other request that may change the root's ACLs
     * drops what is kept.
     */
    Optional<ByteBuffer> answer(FuseInHeader header, ByteBuffer request, FuseNegotiated negotiated) {
        if (header.nodeid() != FuseProtocol.ROOT_ID) {
            return Optional.empty();
        }
        switch (header.kind()) {
            case SETXATTR, REMOVEXATTR, SETATTR -> {
                kept.clear();
                return Optional.empty();
            }
            case GETXATTR -> {
                // handled below
            }
            default -> {
                return Optional.empty();
            }
        }
        String key;
        try {
            var get = (FuseOperation.Getxattr)
                    FuseRequestDecoder.decode(request, negotiated).operation();
            String name = new String(get.name(), StandardCharsets.UTF_8);
            if (!name.startsWith(ACL_PREFIX)) {
                return Optional.empty();
            }
            key = name + "/" + get.size();
        } catch (FuseProtocolException e) {
            return Optional.empty();
        }
        Kept k = kept.get(key);
        if (k != null && System.nanoTime() - k.expiresNanos() < 0) {
            ByteBuffer reply = ByteBuffer.allocate(k.reply().remaining()).order(ByteOrder.LITTLE_ENDIAN);
            reply.put(k.reply().duplicate()).flip();
            reply.putLong(8, header.unique());
            return Optional.of(reply);
        }
        asked.put(header.unique(), key);
        return Optional.empty();
    }

    /** Keeps the host's reply to a request {@link #answer} let through: the ACL, or that there is none. */
    void learn(FuseInHeader header, ByteBuffer reply) {
        if (header.kind() != FuseOpcode.GETXATTR || header.nodeid() != FuseProtocol.ROOT_ID) {
            return;
        }
        String key = asked.remove(header.unique());
        if (key == null || reply.remaining() < FuseProtocol.OUT_HEADER_SIZE) {
            return;
        }
        int error = reply.getInt(reply.position() + 4);
        if (error == 0 || error == -Errno.ENODATA) {
            ByteBuffer copy = ByteBuffer.allocate(reply.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(reply.duplicate()).flip();
            kept.put(key, new Kept(copy, System.nanoTime() + ttlNanos));
        }
    }

    /** A host program changed {@code node}: if it is the root, its ACLs may have changed too. */
    void hostChanged(long node) {
        if (node == FuseProtocol.ROOT_ID) {
            kept.clear();
        }
    }

    /** A request that got no reply from the host (the channel failed) is not waited for. */
    void forget(long unique) {
        asked.remove(unique);
    }
}
