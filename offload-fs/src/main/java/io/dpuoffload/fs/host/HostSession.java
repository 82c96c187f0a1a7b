package io.dpuoffload.fs.host;

import io.dpuoffload.fs.allowlist.AuditLog;
import io.dpuoffload.fs.allowlist.Operation;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.fuse.FuseAttr;
import io.dpuoffload.fs.fuse.FuseEntry;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseRequest;
import io.dpuoffload.fs.host.watch.HostChangeWatch;
import io.dpuoffload.fs.host.watch.InodeWatcher;
import io.dpuoffload.fs.wire.ExportPolicy;
import io.dpuoffload.fs.wire.PostOpAttrs;
import io.dpuoffload.fs.wire.Resumption;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.Stat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DPU mount of one export: its inode and handle tables, its policy, and the checks every
 * operation goes through (read-only, allowlist with audit).
 */
final class HostSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostSession.class);

    final int id;
    final ExportConfig export;
    final String peer;
    final InodeTable inodes;
    final HandleTable handles;
    final Attrs attrs;
    final PollWaiter polls = new PollWaiter();
    final FifoOpens fifoOpens = new FifoOpens();
    /** Answers a retried request gets again (see {@link io.dpuoffload.fs.wire.Resumption}). */
    final RecordedReplies replies = new RecordedReplies();
    /** Notifications held while the session has no connection. */
    final HeldNotices held = new HeldNotices();

    private final ExportPaths paths;
    /** Host changes to what the DPU caches; null where it caches nothing. */
    private final HostChangeWatch changes;

    /** Sends one message of FUSE notifications to the DPU's kernel for this mount; set at attach. */
    volatile Function<ByteBuffer, CompletionStage<?>> sender = message -> CompletableFuture.completedFuture(null);

    /** The same, for callers that do not wait for the DPU's answer (NOTIFY_POLL). */
    final Consumer<ByteBuffer> notifier = message -> sender.apply(message);

    private HostSession(
            int id,
            ExportConfig export,
            String peer,
            int rootFd,
            Stat rootStat,
            int maxOpenHandles,
            IntSupplier cachedDescriptors)
            throws ErrnoException {
        this.id = id;
        this.export = export;
        this.peer = peer;
        this.paths = new ExportPaths(rootFd);
        this.changes = export.cache() == CachePolicy.TTL ? watchChanges(rootFd, rootStat) : null;
        this.inodes = new InodeTable(
                rootFd,
                rootStat,
                Reopener.forExport(rootFd, paths),
                cachedDescriptors,
                changes == null ? InodeWatcher.NONE : changes);
        this.handles = new HandleTable(maxOpenHandles, inodes);
        // What the DPU caches must be told when the host changes it; what cannot be told is not cached.
        this.attrs = new Attrs(changes != null ? export.ttl() : Duration.ZERO);
    }

    static HostSession open(int id, ExportConfig export, String peer, int maxOpenHandles) throws ErrnoException {
        return open(id, export, peer, maxOpenHandles, DescriptorBudget::perSession);
    }

    /** With {@code cachedDescriptors} inode descriptors kept open at most (see {@link InodeTable}). */
    static HostSession open(int id, ExportConfig export, String peer, int maxOpenHandles, IntSupplier cachedDescriptors)
            throws ErrnoException {
        int rootFd = FileCalls.openat(
                Flags.AT_FDCWD, export.path().toString(), Flags.O_PATH | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        try {
            var session = new HostSession(
                    id, export, peer, rootFd, Metadata.fstat(rootFd), maxOpenHandles, cachedDescriptors);
            DescriptorBudget.join();
            return session;
        } catch (ErrnoException e) {
            FileCalls.close(rootFd);
            throw e;
        }
    }

    private HostChangeWatch watchChanges(int rootFd, Stat rootStat) {
        try {
            return HostChangeWatch.open(
                    "session " + id + " (" + export.name() + ")",
                    rootFd,
                    rootStat.dev(),
                    message -> sender.apply(message));
        } catch (ErrnoException e) {
            log.warn(
                    "export {}: host changes cannot be watched ({}); session {} lets the DPU cache nothing",
                    export.name(),
                    e.getMessage(),
                    id);
            return null;
        }
    }

    /**
     * Before an OPEN or OPENDIR is answered, the invalidations of every host change made so far are
     * sent: an open on the DPU that follows a change on the host then sees it. Completes when the
     * DPU has them (at once when none were pending).
     */
    CompletableFuture<?> noticesBefore(FuseRequest request) {
        if (changes == null
                || !(request.operation() instanceof FuseOperation.Open
                        || request.operation() instanceof FuseOperation.Opendir)) {
            return CompletableFuture.completedFuture(null);
        }
        return changes.catchUp();
    }

    ExportPolicy policy() {
        return new ExportPolicy(
                id,
                export.readOnly(),
                export.procView(),
                attrs.caches(),
                attrs.caches() ? export.ttl().toMillis() : 0,
                (offersPostOpAttrs() ? PostOpAttrs.FEATURE : 0) | Resumption.FEATURE);
    }

    /** Post-operation attributes are for the DPU's attribute cache: offered where it has one. */
    boolean offersPostOpAttrs() {
        return attrs.caches();
    }

    /** Whether {@code inode}, if a fifo, is shared with the host (see {@link ExportConfig#sharedFifos}). */
    boolean sharesFifo(Inode inode, Stat stat) throws ErrnoException {
        if (!Attrs.isFifo(stat) || export.sharedFifos().isEmpty()) {
            return false;
        }
        if (export.sharedFifos().coversEverything()) {
            return true;
        }
        String path = paths.of(inode);
        return path != null && export.sharedFifos().covers(path);
    }

    /** The same for a directory entry {@code name} of {@code parent} that is a fifo. */
    boolean sharesFifo(Inode parent, byte[] name) throws ErrnoException {
        if (export.sharedFifos().isEmpty()) {
            return false;
        }
        if (export.sharedFifos().coversEverything()) {
            return true;
        }
        String path = paths.child(parent, name);
        return path != null && export.sharedFifos().covers(path);
    }

    FuseEntry entry(Inode inode, Stat stat) throws ErrnoException {
        return attrs.entry(inode, stat, sharesFifo(inode, stat));
    }

    FuseAttr attr(Inode inode, Stat stat) throws ErrnoException {
        return attrs.attr(stat, sharesFifo(inode, stat));
    }

    /** EROFS for any change to a read-only export. */
    void checkWritable() throws ErrnoException {
        if (export.readOnly()) {
            throw new ErrnoException("export " + export.name() + " is read-only", Errno.EROFS);
        }
    }

    /** EACCES, and one audit line, unless the allowlist lets {@code op} touch {@code inode}. */
    void check(Operation op, Inode inode, int uid) throws ErrnoException {
        if (export.allow().allowsEverywhere(op)) {
            return;
        }
        decide(op, paths.of(inode), uid);
    }

    /** Whether the allowlist lets {@code op} touch {@code inode}; unlike {@link #check}, no audit line. */
    boolean allows(Operation op, Inode inode) throws ErrnoException {
        if (export.allow().allowsEverywhere(op)) {
            return true;
        }
        String path = paths.of(inode);
        return path != null && export.allow().allows(op, path);
    }

    /** The same for a name about to be created, removed or renamed in {@code parent}. */
    void checkChild(Operation op, Inode parent, byte[] name, int uid) throws ErrnoException {
        if (export.allow().allowsEverywhere(op)) {
            return;
        }
        decide(op, paths.child(parent, name), uid);
    }

    private void decide(Operation op, String path, int uid) throws ErrnoException {
        if (path == null || !export.allow().allows(op, path)) {
            AuditLog.INSTANCE.denied(peer, uid, op, export.name(), path == null ? "(outside the export)" : path);
            throw new ErrnoException(op.configName() + " denied by the allowlist", Errno.EACCES);
        }
    }

    @Override
    public void close() {
        if (changes != null) {
            changes.close();
        }
        handles.close();
        try {
            fifoOpens.close(); // before the inodes' descriptors, through which it opens the fifos
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        inodes.close();
        DescriptorBudget.leave();
    }
}
