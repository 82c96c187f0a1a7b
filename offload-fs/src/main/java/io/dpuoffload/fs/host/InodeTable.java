package io.dpuoffload.fs.host;

import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.host.watch.InodeWatcher;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.FileHandles.FileHandle;
import io.dpuoffload.linux.Stat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Node id ↔ host inode for one session. A host inode (dev, ino) has one node id however often it
 * is looked up, for as long as the DPU's kernel keeps a lookup of it.
 *
 * <p><b>Descriptors.</b> At most {@link DescriptorBudget#perSession} inodes keep their O_PATH
 * descriptor open between operations, the least recently used closed first; a closed one is reopened
 * from its file handle (see {@link Reopener}) when an operation needs it. Descriptors in use are
 * never closed: those of a request in progress (pinned by {@link Inode#fd()} until {@link
 * #endRequest}) and those of inodes the DPU holds open files on ({@link #holdOpen}), since an
 * unlinked file can no longer be reopened. An inode that cannot get a handle (procfs, sysfs, another
 * mount) is dropped instead of closed: its node id answers ESTALE, and the DPU's kernel looks the
 * name up again (it retries path-based calls that get ESTALE), which gives it a new node id.
 *
 * <p><b>Watching.</b> The {@link InodeWatcher} is told of each node when it is added (its descriptor
 * open then) and when it goes (forgotten or dropped). A node whose descriptor was closed is reopened
 * by handle for that alone ({@link Reopener#openToUnwatch}), and closed again at once: a watch (a
 * fanotify mark) pins the host inode in memory while the DPU knows it, never a descriptor. A node
 * dropped while the DPU still knows it is also invalidated there ({@link InodeWatcher#dropped}): it
 * is watched no more, so the DPU must ask again rather than trust its cache for a TTL.
 *
 * <p>Node ids come from {@link HostIds}: unique for the host process, so that ids of an earlier
 * session or an earlier run of the server are answered with ESTALE instead of reaching another file.
 */
final class InodeTable implements AutoCloseable {

    private record Key(long dev, long ino) {}

    private final Map<Long, Inode> byId = new HashMap<>();
    private final Map<Key, Inode> byKey = new HashMap<>();
    /** Forgotten or dropped, but still pinned: their descriptor closes at the last unpin. */
    private final Map<Long, Inode> leaving = new HashMap<>();
    /** Unpinned inodes with an open descriptor, least recently used first. */
    private final LinkedHashMap<Long, Inode> idle = new LinkedHashMap<>();
    /** This thread's pins of the request it is running. */
    private final ThreadLocal<ArrayList<Inode>> requestPins = ThreadLocal.withInitial(ArrayList::new);

    private final Inode root;
    private final Reopener reopener;
    private final IntSupplier capacity;
    private final InodeWatcher watcher;
    /** Open descriptors of inodes other than the root. */
    private int open;

    /**
     * {@code capacity}: the descriptors this table may keep cached. {@code watcher} is told of every node
     * but the root, which its owner watches from the start.
     */
    InodeTable(int rootFd, Stat rootStat, Reopener reopener, IntSupplier capacity, InodeWatcher watcher) {
        this.reopener = reopener;
        this.capacity = capacity;
        this.watcher = watcher;
        root = new Inode(this, FuseProtocol.ROOT_ID, rootFd, rootStat.dev(), rootStat.ino(), rootStat.type());
        root.addLookups(1);
        byId.put(root.nodeid, root);
        byKey.put(new Key(root.dev, root.ino), root);
    }

    Inode root() {
        return root;
    }

    synchronized Inode get(long nodeid) throws ErrnoException {
        Inode inode = byId.get(nodeid);
        if (inode == null) {
            throw new ErrnoException("node " + Long.toHexString(nodeid), Errno.ESTALE);
        }
        return inode;
    }

    /**
     * Records one lookup of the inode behind {@code fd}; takes ownership of {@code fd}: it becomes the
     * inode's descriptor when the inode is new or its descriptor was closed (a fresh descriptor also
     * renews the inode's path for its next handle), and is closed otherwise. The inode comes back
     * pinned for the rest of the request, like {@link Inode#fd()}.
     */
    synchronized Inode add(int fd, Stat stat) {
        Key key = new Key(stat.dev(), stat.ino());
        Inode inode = byKey.get(key);
        if (inode != null && inode.cachedFd < 0 && !reopener.sameInode(inode, fd)) {
            drop(inode, true); // the inode number now belongs to a new file
            inode = null;
        }
        boolean added = inode == null;
        if (added) {
            long nodeid = HostIds.nextNodeId();
            inode = new Inode(this, nodeid, -1, stat.dev(), stat.ino(), stat.type());
            byId.put(nodeid, inode);
            byKey.put(key, inode);
        }
        inode.addLookups(1);
        if (inode == root) {
            FileCalls.closeQuietly(fd);
            return inode;
        }
        pin(inode);
        requestPins.get().add(inode);
        if (inode.cachedFd >= 0) {
            FileCalls.closeQuietly(fd);
        } else {
            adopt(inode, fd);
        }
        if (added) {
            watcher.added(inode.nodeid, inode.cachedFd, inode.dev, inode.type); // open: pinned above
        }
        return inode;
    }

    /** See {@link Inode#fd()}. */
    synchronized int fd(Inode inode) throws ErrnoException {
        if (inode == root) {
            return root.cachedFd;
        }
        if (inode.cachedFd < 0) {
            if (inode.forgotten || inode.handle == null) {
                throw new ErrnoException("node " + Long.toHexString(inode.nodeid), Errno.ESTALE);
            }
            int fd = reopener.open(inode);
            pin(inode);
            adopt(inode, fd);
        } else {
            pin(inode);
        }
        requestPins.get().add(inode);
        return inode.cachedFd;
    }

    /** Ends this thread's request: what it pinned may be closed again. */
    void endRequest() {
        ArrayList<Inode> pinned = requestPins.get();
        if (pinned.isEmpty()) {
            return;
        }
        synchronized (this) {
            pinned.forEach(this::unpin);
            evictOverCapacity();
        }
        pinned.clear();
    }

    /** The DPU opened a file on {@code nodeid}: its descriptor stays open until {@link #letGo}. */
    synchronized void holdOpen(long nodeid) {
        Inode inode = byId.get(nodeid);
        if (inode != null && inode != root && inode.cachedFd >= 0) {
            pin(inode);
        }
    }

    /** The DPU released a file opened with {@link #holdOpen}. */
    synchronized void letGo(long nodeid) {
        Inode inode = byId.get(nodeid);
        if (inode == null) {
            inode = leaving.get(nodeid);
        }
        if (inode != null && inode != root && inode.pins > 0) {
            unpin(inode);
            evictOverCapacity();
        }
    }

    /** The kernel dropped {@code count} lookups of the node. */
    synchronized void forget(long nodeid, long count) {
        Inode inode = byId.get(nodeid);
        if (inode == null || inode == root) {
            return;
        }
        inode.addLookups(-count);
        if (inode.lookups() <= 0) {
            drop(inode, false);
        }
    }

    synchronized int size() {
        return byId.size();
    }

    /** Descriptors open for inodes other than the root (pinned ones included). */
    synchronized int openDescriptors() {
        return open;
    }

    @Override
    public synchronized void close() {
        byId.values().forEach(this::closeFd);
        leaving.values().forEach(this::closeFd);
        byId.clear();
        byKey.clear();
        leaving.clear();
        idle.clear();
        FileCalls.closeQuietly(root.cachedFd);
        reopener.close();
    }

    // ---- guarded by this ----

    private void adopt(Inode inode, int fd) {
        inode.cachedFd = fd;
        open++;
        if (inode.pins == 0) {
            idle.put(inode.nodeid, inode);
        }
        evictOverCapacity();
    }

    private void pin(Inode inode) {
        if (inode.pins++ == 0) {
            idle.remove(inode.nodeid);
        }
    }

    private void unpin(Inode inode) {
        if (--inode.pins > 0) {
            return;
        }
        if (inode.forgotten) {
            leaving.remove(inode.nodeid);
            closeFd(inode);
        } else if (inode.cachedFd >= 0) {
            idle.put(inode.nodeid, inode);
        }
    }

    /** Closes the least recently used idle descriptors beyond the capacity. */
    private void evictOverCapacity() {
        int limit = capacity.getAsInt();
        while (open > limit && !idle.isEmpty()) {
            Inode victim = idle.pollFirstEntry().getValue();
            FileHandle handle = reopener.encode(victim.cachedFd);
            if (handle != null) {
                victim.handle = handle;
                closeFd(victim);
            } else if (victim.handle != null) {
                closeFd(victim); // moved where it cannot be encoded: its last handle decides
            } else {
                drop(victim, true);
            }
        }
    }

    /**
     * Removes the node: its id answers ESTALE; its descriptor closes now, or when the last pin goes.
     * {@code dpuKnowsIt}: the DPU's kernel has not forgotten it.
     */
    private void drop(Inode inode, boolean dpuKnowsIt) {
        unwatch(inode, dpuKnowsIt);
        byId.remove(inode.nodeid);
        byKey.remove(new Key(inode.dev, inode.ino));
        idle.remove(inode.nodeid);
        inode.forgotten = true;
        if (inode.pins > 0) {
            leaving.put(inode.nodeid, inode);
        } else {
            closeFd(inode);
        }
    }

    /**
     * Tells the watcher the node goes, through its descriptor, or one reopened by handle for this alone
     * when it was closed; with none (-1) when the inode is gone (then so is anything that watched it) or
     * cannot be reached.
     */
    private void unwatch(Inode inode, boolean dpuKnowsIt) {
        if (!watcher.watches(inode.nodeid)) {
            return;
        }
        if (inode.cachedFd >= 0) {
            watcher.removed(inode.nodeid, inode.cachedFd);
        } else {
            int fd = reopener.openToUnwatch(inode);
            try {
                watcher.removed(inode.nodeid, fd);
            } finally {
                if (fd >= 0) {
                    FileCalls.closeQuietly(fd);
                }
            }
        }
        if (dpuKnowsIt) {
            watcher.dropped(inode.nodeid);
        }
    }

    private void closeFd(Inode inode) {
        if (inode.cachedFd >= 0 && inode != root) {
            FileCalls.closeQuietly(inode.cachedFd);
            inode.cachedFd = -1;
            open--;
        }
    }
}
