package io.dpuoffload.fs.client;

import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.wire.PostOpAttrs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Directories' attributes as the host read them right after the DPU's own name-changing operations
 * ({@link PostOpAttrs}), answering the kernel's next GETATTR of each on the DPU. Where the kernel
 * checks permissions itself (FsMount#KERNEL_CHECKS), every create, unlink, mkdir, rename… marks
 * its directory's attributes stale (the kernel does not know how the directory changed), and the
 * permission check before the next one asks for them: without these, a round trip to the host for
 * each.
 *
 * <p>What is answered is what the host would answer: its attributes after the operation, for what
 * is left of their lifetime (the TTL, counted from when the reply came), and once: a second
 * GETATTR goes to the host. Dropped at once when anything else may have changed the directory:
 *
 * <ul>
 *   <li>a host program (the host's invalidation of the node, {@link #hostChanged});
 *   <li>any request through the mount on the directory other than one that only reads (a setattr,
 *       an xattr set, a listing, which moves its atime), when sent and when answered;
 *   <li>every rmdir and rename, for all directories: the directory removed, moved or replaced is
 *       named, not given by node id, and its ctime and link count change.
 * </ul>
 *
 * A reply whose directory was dropped while the operation was on its way is not learned from:
 * its attributes may predate the change that dropped it.
 */
final class DirectoryAttrs {
    /**
     * Directories kept at most. Each is one recent change through the mount, answered once; a
     * workload changing more directories than this within one TTL gets the rest from the host.
     */
    static final int MAX_KEPT = 4096;

    private record Kept(ByteBuffer attrOut, long expiresNanos) {}

    /** A name-changing request on its way to the host, and what was dropped meanwhile. */
    private static final class InFlight {
        final Set<Long> dropped = ConcurrentHashMap.newKeySet();
        volatile boolean allDropped;
    }

    private final LongSupplier nanoClock;
    private final Map<Long, Kept> kept = new ConcurrentHashMap<>();
    private final Map<Long, InFlight> inFlight = new ConcurrentHashMap<>();

    DirectoryAttrs(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    DirectoryAttrs() {
        this(System::nanoTime);
    }

    /** The operations whose replies carry the changed directories' attributes (see the host's ChangedDirectories). */
    static boolean changesNames(FuseOpcode kind) {
        return switch (kind) {
            case CREATE, MKNOD, MKDIR, SYMLINK, LINK, UNLINK, RMDIR, RENAME, RENAME2 -> true;
            default -> false;
        };
    }

    /** A GETATTR answered from what is kept (then no longer kept), with its unique; empty when the host must answer. */
    Optional<ByteBuffer> answer(FuseInHeader header) {
        if (header.kind() != FuseOpcode.GETATTR) {
            return Optional.empty();
        }
        Kept k = kept.remove(header.nodeid());
        long left = k == null ? 0 : k.expiresNanos() - nanoClock.getAsLong();
        if (left <= 0) {
            return Optional.empty();
        }
        int length = FuseProtocol.OUT_HEADER_SIZE + FuseProtocol.ATTR_OUT_SIZE;
        ByteBuffer reply = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        reply.putInt(length).putInt(0).putLong(header.unique());
        reply.put(k.attrOut().duplicate()).flip();
        // The lifetime left, not the whole TTL: the kernel trusts them no longer than from the host.
        reply.putLong(FuseProtocol.OUT_HEADER_SIZE, left / 1_000_000_000L);
        reply.putInt(FuseProtocol.OUT_HEADER_SIZE + 8, (int) (left % 1_000_000_000L));
        return Optional.of(reply);
    }

    /** Before {@code header}'s request goes to the host. */
    void sending(FuseInHeader header) {
        dropFor(header);
        if (changesNames(header.kind())) {
            inFlight.put(header.unique(), new InFlight());
        }
    }

    /**
     * The host answered {@code header}'s request, with {@code directories} behind the reply (none
     * for other requests, failures, and hosts that do not send them).
     */
    void answered(FuseInHeader header, List<PostOpAttrs.Directory> directories) {
        InFlight mine = inFlight.remove(header.unique());
        dropFor(header);
        if (mine == null || mine.allDropped) {
            return;
        }
        long now = nanoClock.getAsLong();
        for (PostOpAttrs.Directory d : directories) {
            if (mine.dropped.contains(d.nodeid()) || !roomFor(now)) {
                continue;
            }
            ByteBuffer attrOut = d.attrOut().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            long lifetime = attrOut.getLong(attrOut.position()) * 1_000_000_000L
                    + Integer.toUnsignedLong(attrOut.getInt(attrOut.position() + 8));
            if (lifetime <= 0) {
                continue;
            }
            ByteBuffer copy = ByteBuffer.allocate(attrOut.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(attrOut).flip();
            kept.put(d.nodeid(), new Kept(copy, now + lifetime));
        }
    }

    /** A host program changed {@code node} (the host's invalidation of its attributes). */
    void hostChanged(long node) {
        drop(node);
    }

    /** Drops everything: the link to the host was lost, or a session replaced. */
    void dropAll() {
        kept.clear();
        inFlight.values().forEach(f -> f.allDropped = true);
    }

    int kept() {
        return kept.size();
    }

    private void dropFor(FuseInHeader header) {
        switch (header.kind()) {
            // Requests that change no directory's attributes.
            case LOOKUP,
                    GETATTR,
                    GETXATTR,
                    LISTXATTR,
                    ACCESS,
                    STATFS,
                    READLINK,
                    RELEASE,
                    RELEASEDIR,
                    FSYNC,
                    FSYNCDIR,
                    POLL,
                    FLUSH,
                    BATCH_FORGET,
                    INTERRUPT -> {}
            case RMDIR, RENAME, RENAME2 -> dropAll();
            default -> drop(header.nodeid());
        }
    }

    private void drop(long node) {
        kept.remove(node);
        inFlight.values().forEach(f -> f.dropped.add(node));
    }

    /** Below {@link #MAX_KEPT}, after forgetting what has expired if need be. */
    private boolean roomFor(long now) {
        if (kept.size() < MAX_KEPT) {
            return true;
        }
        kept.values().removeIf(k -> k.expiresNanos() - now <= 0);
        return kept.size() < MAX_KEPT;
    }
}
