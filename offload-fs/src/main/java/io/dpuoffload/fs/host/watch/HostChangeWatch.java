package io.dpuoffload.fs.host.watch;

import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.EventFd;
import io.dpuoffload.linux.Fanotify;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.Poll;
import io.dpuoffload.linux.ThreadCredentials;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells one session's DPU kernel what host programs change among the inodes it knows, so that a
 * change made on the host, not through the mount, is seen on the DPU within {@link #BOUND_MILLIS}
 * instead of one cache TTL.
 *
 * <p>One fanotify group per session, with a mark on every directory and regular file the DPU knows
 * (placed when the node is first looked up, removed when the kernel forgets it; the group, and with
 * it every mark, goes with the session). Directories report their names created, removed and moved;
 * files their writes and attribute changes. A thread of its own reads the events as they come,
 * drops those of the server's own threads (the DPU made them; see {@link ServerThreads}) and of
 * inodes the DPU does not know, coalesces the rest and sends FUSE invalidations, several to a
 * message. Before an OPEN the session also reads what is pending ({@link #catchUp}), so that an open
 * on the DPU that follows a host change sees it.
 *
 * <p>A mark holds its inode in the host kernel's memory (the inode, not a descriptor nor a dentry)
 * until it is removed: the price of a node the DPU knows (docs/offload-fs.md, "Descriptors").
 */
public final class HostChangeWatch implements InodeWatcher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostChangeWatch.class);

    /** The documented bound (docs/offload-fs.md) from a host change to the DPU's kernel knowing it. */
    public static final long BOUND_MILLIS = 500;

    /** Names created, removed, moved in a directory, and its own attributes (FAN_ONDIR: also for subdirectories). */
    static final long DIRECTORY_MASK = Invalidations.NAME_EVENTS | Fanotify.FAN_ATTRIB | Fanotify.FAN_ONDIR;

    /** A file's content (write, truncate) and attributes (mode, owner, times, links, xattrs). */
    static final long FILE_MASK = Fanotify.FAN_MODIFY | Fanotify.FAN_ATTRIB;

    /**
     * One read's worth of events: at 60-100 bytes an event, several hundred, which the kernel has
     * already merged per inode and name. The group's queue (16,384 events) holds the rest.
     */
    private static final int READ_BYTES = 64 * 1024;

    /** One message to the DPU carries invalidations up to this size: one frame, well under the channel's limit. */
    private static final int MESSAGE_BYTES = 60 * 1024;

    /**
     * Pause after each batch before reading again. A DPU writing or creating many files makes an
     * event per call, and reading each as it comes would cost a wake-up per operation; host storms
     * are coalesced the same way. A host change waits at most this much more (well inside the bound).
     */
    private static final int BATCH_PAUSE_MILLIS = 5;

    /**
     * Messages sent and not yet answered. The channel allows a few thousand open requests per
     * direction; a DPU that answers slowly must not use them up, so the reader waits below this.
     */
    private static final int MAX_IN_FLIGHT = 64;

    /** How often ended server threads are forgotten (see {@link ServerThreads#forgetEnded}). */
    private static final long PRUNE_NANOS = 10_000_000_000L;

    private final String name;
    private final int group;
    private final int wake;
    private final Function<ByteBuffer, CompletionStage<?>> sender;
    private final Map<FileId, Long> nodes = new ConcurrentHashMap<>();
    private final Map<Long, FileId> ids = new ConcurrentHashMap<>();
    private final Map<Long, Long> fsids = new ConcurrentHashMap<>();
    private final java.util.Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final ReentrantLock reading = new ReentrantLock();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(READ_BYTES, 8);
    private final Invalidations pending = new Invalidations(); // guarded by reading
    private boolean released; // guarded by reading: the descriptors are closed
    private final Thread reader;
    private volatile boolean closed;
    private volatile boolean unwatchableReported;

    private HostChangeWatch(String name, int group, int wake, Function<ByteBuffer, CompletionStage<?>> sender) {
        this.name = name;
        this.group = group;
        this.wake = wake;
        this.sender = sender;
        this.reader = Thread.ofPlatform().daemon().name("fs-watch-" + name).unstarted(this::run);
    }

    /**
     * A watch for the export whose root is {@code rootFd}, sending each message of notifications
     * through {@code sender}. Fails where the host cannot watch (not root, a kernel before 5.9, a
     * file system fanotify cannot identify files on): the session must then not let the DPU cache.
     */
    public static HostChangeWatch open(
            String name, int rootFd, long rootDev, Function<ByteBuffer, CompletionStage<?>> sender)
            throws ErrnoException {
        int group = Fanotify.init(
                Fanotify.FAN_CLASS_NOTIF
                        | Fanotify.FAN_CLOEXEC
                        | Fanotify.FAN_NONBLOCK
                        | Fanotify.FAN_UNLIMITED_MARKS
                        | Fanotify.FAN_REPORT_TID
                        | Fanotify.FAN_REPORT_FID
                        | Fanotify.FAN_REPORT_DFID_NAME,
                Flags.O_RDONLY | Flags.O_CLOEXEC);
        int wake;
        try {
            wake = EventFd.eventfd(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(group);
            throw e;
        }
        HostChangeWatch watch = new HostChangeWatch(name, group, wake, sender);
        try {
            watch.watch(FuseProtocol.ROOT_ID, rootFd, rootDev, Flags.S_IFDIR);
        } catch (ErrnoException e) {
            watch.release();
            throw e;
        }
        watch.reader.start();
        return watch;
    }

    @Override
    public void added(long nodeid, int fd, long dev, int type) {
        if (closed || (type != Flags.S_IFDIR && type != Flags.S_IFREG)) {
            return; // symlinks never change; fifos, sockets, devices: their attributes within the TTL
        }
        try {
            watch(nodeid, fd, dev, type);
        } catch (ErrnoException e) {
            reportUnwatchable(e);
        }
    }

    private void watch(long nodeid, int fd, long dev, int type) throws ErrnoException {
        Long fsid = fsids.get(dev);
        if (fsid == null) {
            fsid = Metadata.fstatfs(fd).fsid();
            fsids.put(dev, fsid);
        }
        FileId id = new FileId(fsid, Fanotify.fileId(fd));
        mark(Fanotify.FAN_MARK_ADD, type == Flags.S_IFDIR ? DIRECTORY_MASK : FILE_MASK, fd);
        nodes.put(id, nodeid);
        ids.put(nodeid, id);
    }

    @Override
    public boolean watches(long nodeid) {
        return !closed && ids.containsKey(nodeid);
    }

    /**
     * Removes the node's mark through {@code fd}; with -1 (the inode is gone, and its marks with it,
     * or cannot be reopened) only forgets the node. A mark the kernel no longer has is no error.
     */
    @Override
    public void removed(long nodeid, int fd) {
        FileId id = ids.remove(nodeid);
        if (id == null) {
            return;
        }
        nodes.remove(id, nodeid);
        if (!closed && fd >= 0) {
            try {
                // Both masks: bits a mark does not have are ignored, and with none left it goes.
                mark(Fanotify.FAN_MARK_REMOVE, DIRECTORY_MASK | FILE_MASK, fd);
            } catch (ErrnoException | IllegalStateException e) {
                log.debug("removing the mark of node {} of {}: {}", Long.toHexString(nodeid), name, e.getMessage());
            }
        }
    }

    @Override
    public void dropped(long nodeid) {
        if (closed) {
            return;
        }
        reading.lock();
        try {
            if (!released) {
                pending.changed(nodeid);
                send(pending.drain());
            }
        } finally {
            reading.unlock();
        }
    }

    /**
     * fanotify_mark, as root where it must be: the kernel lets only a reader of the inode mark it,
     * and this runs in the operation of a DPU user who may not read the file (a directory of mode
     * 0711, a file of 0200) but whose host changes must still be told.
     */
    private void mark(int flags, long mask, int fd) throws ErrnoException {
        try {
            Fanotify.markInode(group, flags, mask, fd);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EACCES || ThreadCredentials.fsuid() == 0) {
                throw e;
            }
            try {
                ThreadCredentials.callAs(0, 0, ThreadCredentials.groups(), () -> {
                    Fanotify.markInode(group, flags, mask, fd);
                    return null;
                });
            } catch (ErrnoException asRoot) {
                throw asRoot;
            } catch (java.io.IOException asRoot) {
                throw new IllegalStateException("fanotify_mark as root", asRoot);
            }
        }
    }

    /**
     * Reads and sends what is pending, on the caller's thread; completes when the DPU has answered
     * every message sent so far, by this call or the reader (at once if none is unanswered). Called
     * before an OPEN is answered, so that the invalidations of a host change made before it reach
     * the DPU before its reply. Never waits for anything but another thread's reading of the same
     * group, which makes no blocking call.
     */
    public CompletableFuture<?> catchUp() {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        drain();
        return inFlight.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new));
    }

    private void run() {
        long lastPrune = System.nanoTime();
        int[] fds = {group, wake};
        short[] events = {Poll.POLLIN, Poll.POLLIN};
        short[] revents = new short[2];
        try {
            while (!closed) {
                Poll.poll(fds, events, revents, -1);
                while (inFlight.size() >= MAX_IN_FLIGHT && !closed) {
                    Thread.sleep(1);
                }
                if (closed) {
                    break;
                }
                drain();
                if (System.nanoTime() - lastPrune > PRUNE_NANOS) {
                    ServerThreads.forgetEnded();
                    lastPrune = System.nanoTime();
                }
                Thread.sleep(BATCH_PAUSE_MILLIS);
            }
        } catch (ErrnoException e) {
            log.error(
                    "watching host changes for {} stopped ({}); changes are seen within the cache TTL",
                    name,
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            release();
        }
    }

    /** Reads until the queue is empty and sends what it means. */
    private void drain() {
        reading.lock();
        try {
            if (released) {
                return;
            }
            while (true) {
                long n = FileCalls.readSome(group, buffer, READ_BYTES);
                if (n <= 0) {
                    if (n < 0 && n != -Errno.EAGAIN) {
                        log.warn("reading host changes for {}: errno {}", name, -n);
                    }
                    break;
                }
                HostEvents.decode(
                        buffer.asSlice(0, n).asByteBuffer(),
                        event -> pending.add(event, this::nodeOf, ServerThreads::isServer));
            }
            if (pending.overflowed()) {
                log.warn(
                        "host changes for {} came faster than they were read: all {} inodes the DPU knows are invalidated",
                        name,
                        ids.size());
                ids.keySet().forEach(pending::changed);
            }
            if (!pending.isEmpty()) {
                send(pending.drain());
            }
        } finally {
            reading.unlock();
        }
    }

    private void send(List<ByteBuffer> notifications) {
        int at = 0;
        while (at < notifications.size()) {
            int bytes = 0;
            int end = at;
            while (end < notifications.size()
                    && (end == at || bytes + notifications.get(end).remaining() <= MESSAGE_BYTES)) {
                bytes += notifications.get(end++).remaining();
            }
            ByteBuffer message = ByteBuffer.allocate(bytes);
            for (int i = at; i < end; i++) {
                message.put(notifications.get(i).duplicate());
            }
            CompletableFuture<?> answer = sender.apply(message.flip()).toCompletableFuture();
            inFlight.add(answer);
            answer.whenComplete((reply, failure) -> inFlight.remove(answer));
            at = end;
        }
    }

    private long nodeOf(FileId id) {
        Long node = nodes.get(id);
        return node == null ? Invalidations.UNKNOWN : node;
    }

    private void reportUnwatchable(ErrnoException e) {
        if (!unwatchableReported) {
            unwatchableReported = true;
            log.warn(
                    "cannot watch some inodes of {} for host changes ({}); host changes to them are seen within the cache TTL",
                    name,
                    e.getMessage());
        }
    }

    /** Ends the watch: the reader stops and every mark goes with the group, at once. */
    @Override
    public void close() {
        closed = true;
        reading.lock();
        try {
            if (!released) {
                EventFd.add(wake, 1);
            }
        } catch (ErrnoException e) {
            log.debug("waking the watch of {}: {}", name, e.getMessage());
        } finally {
            reading.unlock();
        }
        if (!reader.isAlive()) {
            release();
        }
    }

    private void release() {
        closed = true;
        reading.lock();
        try {
            if (!released) {
                released = true;
                FileCalls.closeQuietly(group);
                FileCalls.closeQuietly(wake);
                nodes.clear();
                ids.clear();
                arena.close();
            }
        } finally {
            reading.unlock();
        }
    }
}
