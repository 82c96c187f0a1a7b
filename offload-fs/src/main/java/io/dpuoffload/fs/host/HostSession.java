package io.dpuoffload.fs.host;

import io.dpuoffload.fs.allowlist.AuditLog;
import io.dpuoffload.fs.allowlist.Operation;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.fuse.FuseAttr;
import io.dpuoffload.fs.fuse.FuseEntry;
import io.dpuoffload.fs.wire.ExportPolicy;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.Stat;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * One DPU mount of one export: its inode and handle tables, its policy, and the checks every
 * operation goes through (read-only, allowlist with audit).
 */
final class HostSession implements AutoCloseable {
    final int id;
    final ExportConfig export;
    final String peer;
    final InodeTable inodes;
    final HandleTable handles;
    final Attrs attrs;
    final PollWaiter polls = new PollWaiter();
    final FifoOpens fifoOpens = new FifoOpens();
    private final ExportPaths paths;
    /** Sends a FUSE notification to the DPU's kernel for this mount; set at attach. */
    volatile java.util.function.Consumer<java.nio.ByteBuffer> notifier = message -> {};

    private HostSession(
            int id, ExportConfig export, String peer, InodeTable inodes, HandleTable handles, ExportPaths paths) {
        this.id = id;
        this.export = export;
        this.peer = peer;
        this.inodes = inodes;
        this.handles = handles;
        this.paths = paths;
        this.attrs = new Attrs(export.cache() == CachePolicy.TTL ? export.ttl() : Duration.ZERO);
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
            var stat = Metadata.fstat(rootFd);
            var paths = new ExportPaths(rootFd);
            var inodes = new InodeTable(rootFd, stat, Reopener.forExport(rootFd, paths), cachedDescriptors);
            DescriptorBudget.join();
            return new HostSession(id, export, peer, inodes, new HandleTable(maxOpenHandles, inodes), paths);
        } catch (ErrnoException e) {
            FileCalls.close(rootFd);
            throw e;
        }
    }

    ExportPolicy policy() {
        return new ExportPolicy(
                id,
                export.readOnly(),
                export.procView(),
                export.cache() == CachePolicy.TTL,
                export.ttl().toMillis());
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
