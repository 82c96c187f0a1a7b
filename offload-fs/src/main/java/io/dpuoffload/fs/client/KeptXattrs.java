package io.dpuoffload.fs.client;

import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseNegotiated;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseProtocolException;
import io.dpuoffload.fs.fuse.FuseReplies;
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
 * The host's answers to the extended-attribute reads the kernel makes for its own checks, given
 * again on the DPU for one TTL: POSIX ACLs, and the absence of file capabilities.
 *
 * <p><b>ACLs</b> (system.posix_acl_access and _default). Where the DPU's kernel checks permissions
 * (FsMount#KERNEL_CHECKS) it caches an inode's ACLs only until it next fetches its attributes, and it
 * fetches a directory's before each create or unlink in it (the one before marked them stale; see
 * {@link DirectoryAttrs}): a user who does not own the directory then made the kernel read its ACLs
 * from the host again each time, measured 2 of 7 requests of a create+stat+unlink. The root it never
 * caches ACLs for at all: the root inode is made before INIT agrees on FUSE_POSIX_ACL, and every path
 * walk by such a user read the root's again (4 requests instead of 2 for a stat and an open). Such a
 * create or unlink changes names, never ACLs. What changes an inode's ACLs is a setattr (chmod),
 * setxattr or removexattr of it, which drop what is kept of it at once, through the mount; on the
 * host a change of ACLs is a change of attributes, whose invalidation drops them too ({@link
 * #hostChanged}).
 *
 * <p><b>File capabilities</b> (security.capability). Before each chown, and before the first write
 * to a file, the kernel reads them to know whether it must remove them (the capability module's
 * "need killpriv"): a round trip per call, which doubled the cost of a chown and of a new file's
 * first write (an untar chowns and writes every file it makes). Only their absence is kept: nothing
 * but a setxattr adds capabilities, while a chown, truncate or write on the host removes them, so a
 * "none" stays true through those and a value would not. A file this mount has just created has
 * none (capabilities are never inherited), so its absence is known from the create's reply, and its
 * first write and chown ask the host nothing. The host removes capabilities on a chown or write
 * itself (FUSE_HANDLE_KILLPRIV_V2), whatever the DPU's kernel concludes.
 *
 * <p>So the kernel counts these as fresh as it would reading them from the host each time, within
 * the documented bound for host changes.
 */
final class KeptXattrs {
    private static final String ACL_PREFIX = "system.posix_acl_";
    private static final String CAPABILITY = "security.capability";
    /** What the kernel's capability check asks: the size of the value only. */
    private static final String CAPABILITY_CHECK = CAPABILITY + "/0";

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

    KeptXattrs(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    /**
     * A reply to {@code header}'s request from what is kept, with its unique; empty when the host must
     * answer (then {@link #learn} keeps its reply). Any other request that may change the node's ACLs
     * drops what is kept of it.
     */
    Optional<ByteBuffer> answer(FuseInHeader header, ByteBuffer request, FuseNegotiated negotiated) {
        switch (header.kind()) {
            case SETXATTR, REMOVEXATTR, FORGET -> {
                drop(header.nodeid());
                return Optional.empty();
            }
            case SETATTR -> {
                dropAcls(header.nodeid());
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
            if (!attribute.startsWith(ACL_PREFIX) && !attribute.equals(CAPABILITY)) {
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
        switch (header.kind()) {
            // Again when done: a read the host answered meanwhile may predate the change.
            case SETXATTR, REMOVEXATTR -> drop(header.nodeid());
            case SETATTR -> dropAcls(header.nodeid());
            case CREATE, MKNOD -> newFile(reply);
            case GETXATTR -> getxattrAnswered(header, reply);
            default -> {
                // nothing kept of other replies
            }
        }
    }

    private void getxattrAnswered(FuseInHeader header, ByteBuffer reply) {
        Key key = asked.remove(header.unique());
        if (key == null || reply.remaining() < FuseProtocol.OUT_HEADER_SIZE) {
            return;
        }
        int error = reply.getInt(reply.position() + 4);
        boolean keepable =
                key.name().startsWith(CAPABILITY) ? error == -Errno.ENODATA : error == 0 || error == -Errno.ENODATA;
        if (keepable) {
            keep(key.node(), key.name(), reply);
        }
    }

    /** A file this mount created has no capabilities: its entry's node keeps that answer. */
    private void newFile(ByteBuffer reply) {
        if (reply.remaining() < FuseProtocol.OUT_HEADER_SIZE + Long.BYTES || reply.getInt(reply.position() + 4) != 0) {
            return;
        }
        long node = reply.getLong(reply.position() + FuseProtocol.OUT_HEADER_SIZE);
        keep(node, CAPABILITY_CHECK, FuseReplies.error(0, Errno.ENODATA));
    }

    private void keep(long node, String name, ByteBuffer reply) {
        if (!roomFor(node)) {
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(reply.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(reply.duplicate()).flip();
        kept.computeIfAbsent(node, n -> new ConcurrentHashMap<>())
                .put(name, new Kept(copy, System.nanoTime() + ttlNanos));
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

    /**
     * A setattr (chmod may change ACLs; a chown or truncate only removes capabilities, whose absence
     * therefore stays): drops {@code node}'s ACLs, and the ACL replies on their way.
     */
    private void dropAcls(long node) {
        Map<String, Kept> ofNode = kept.get(node);
        if (ofNode != null) {
            ofNode.keySet().removeIf(name -> name.startsWith(ACL_PREFIX));
        }
        if (!asked.isEmpty()) {
            asked.values().removeIf(k -> k.node() == node && k.name().startsWith(ACL_PREFIX));
        }
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
