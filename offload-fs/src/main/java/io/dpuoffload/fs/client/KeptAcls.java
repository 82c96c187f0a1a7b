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
 * The host's answers to the kernel's POSIX ACL reads (system.posix_acl_access and _default), given
 * again on the DPU for one TTL. Where the DPU's kernel checks permissions (FsMount#KERNEL_CHECKS) it
 * caches an inode's ACLs only until it next fetches its attributes, and it fetches a directory's
 * before each create or unlink in it (the one before marked them stale; see {@link DirectoryAttrs}):
 * a user who does not own the directory then made the kernel read its ACLs from the host again each
 * time, measured 2 of 7 requests of a create+stat+unlink. The root it never caches ACLs for at all:
 * the root inode is made before INIT agrees on FUSE_POSIX_ACL, and every path walk by such a user
 * read the root's again (4 requests instead of 2 for a stat and an open).
 *
 * <p>Such a create or unlink changes names, never ACLs. What changes an inode's ACLs is a setattr
 * (chmod), setxattr or removexattr of it, which drop what is kept of it at once, through the mount;
 * on the host a change of ACLs is a change of attributes, whose invalidation drops them too
 * ({@link #hostChanged}). So the kernel counts ACLs as fresh as it would reading them from the host
 * each time, within the documented bound for host changes.
 */
final class KeptAcls {
    private static final String ACL_PREFIX = "system.posix_acl_";

    /**
     * Inodes whose ACL answers are kept at most: the directories and files in use within one TTL.
     * Beyond, the expired are forgotten, and if that is not enough the host answers the rest.
     */
    static final int MAX_INODES = 4096;

    private record Kept(ByteBuffer reply, long expiresNanos) {}

    /** What one reply is kept under: the inode, the ACL's name and the size asked for (0: the size only). */
    private record Key(long node, String name) {}

    private final long ttlNanos;
    /** node → (name/size → reply). */
    private final Map<Long, Map<String, Kept>> kept = new ConcurrentHashMap<>();
    /** Requests sent to the host for a reply to keep: unique → what it is kept under. */
    private final Map<Long, Key> asked = new ConcurrentHashMap<>();

    KeptAcls(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    /**
     * A reply to {@code header}'s request from what is kept, with its unique; empty when the host must
     * answer (then {@link #learn} keeps its reply). Any other request that may change the node's ACLs
     * drops what is kept of it.
     */
    Optional<ByteBuffer> answer(FuseInHeader header, ByteBuffer request, FuseNegotiated negotiated) {
        switch (header.kind()) {
            case SETXATTR, REMOVEXATTR, SETATTR, FORGET -> {
                drop(header.nodeid());
                return Optional.empty();
            }
            case GETXATTR -> {
                // handled below
            }
            default -> {
                return Optional.empty();
            }
        }
        String name;
        try {
            var get = (FuseOperation.Getxattr)
                    FuseRequestDecoder.decode(request, negotiated).operation();
            String attribute = new String(get.name(), StandardCharsets.UTF_8);
            if (!attribute.startsWith(ACL_PREFIX)) {
                return Optional.empty();
            }
            name = attribute + "/" + get.size();
        } catch (FuseProtocolException e) {
            return Optional.empty();
        }
        Map<String, Kept> ofNode = kept.get(header.nodeid());
        Kept k = ofNode == null ? null : ofNode.get(name);
        if (k != null && System.nanoTime() - k.expiresNanos() < 0) {
            ByteBuffer reply = ByteBuffer.allocate(k.reply().remaining()).order(ByteOrder.LITTLE_ENDIAN);
            reply.put(k.reply().duplicate()).flip();
            reply.putLong(8, header.unique());
            return Optional.of(reply);
        }
        asked.put(header.unique(), new Key(header.nodeid(), name));
        return Optional.empty();
    }

    /** Keeps the host's reply to a request {@link #answer} let through: the ACL, or that there is none. */
    void learn(FuseInHeader header, ByteBuffer reply) {
        if (header.kind() == FuseOpcode.SETXATTR
                || header.kind() == FuseOpcode.REMOVEXATTR
                || header.kind() == FuseOpcode.SETATTR) {
            // Again when done: a read the host answered meanwhile may predate the change.
            drop(header.nodeid());
            return;
        }
        if (header.kind() != FuseOpcode.GETXATTR) {
            return;
        }
        Key key = asked.remove(header.unique());
        if (key == null || reply.remaining() < FuseProtocol.OUT_HEADER_SIZE) {
            return;
        }
        int error = reply.getInt(reply.position() + 4);
        if ((error == 0 || error == -Errno.ENODATA) && roomFor(key.node())) {
            ByteBuffer copy = ByteBuffer.allocate(reply.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(reply.duplicate()).flip();
            kept.computeIfAbsent(key.node(), n -> new ConcurrentHashMap<>())
                    .put(key.name(), new Kept(copy, System.nanoTime() + ttlNanos));
        }
    }

    /** A host program changed {@code node} (its attributes, which its ACLs are part of). */
    void hostChanged(long node) {
        drop(node);
    }

    /** Drops everything: a new session replaced the one whose inodes these were. */
    void dropAll() {
        kept.clear();
        asked.clear();
    }

    /** A request that got no reply from the host (the channel failed) is not waited for. */
    void forget(long unique) {
        asked.remove(unique);
    }

    int inodes() {
        return kept.size();
    }

    /** Drops what is kept of {@code node}, and the replies on their way, which may predate the change. */
    private void drop(long node) {
        kept.remove(node);
        if (!asked.isEmpty()) {
            asked.values().removeIf(k -> k.node() == node);
        }
    }

    private boolean roomFor(long node) {
        if (kept.size() < MAX_INODES || kept.containsKey(node)) {
            return true;
        }
        long now = System.nanoTime();
        kept.values().removeIf(ofNode -> ofNode.values().stream().allMatch(k -> now - k.expiresNanos() >= 0));
        return kept.size() < MAX_INODES;
    }
}
