package io.dpuoffload.fs.host;

import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.host.watch.InodeWatcher;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Stat;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * Node id ↔ host inode for one session. A host inode (dev, ino) has one node id however often it
 * is looked up; its descriptor is closed when the kernel forgets the last lookup.
 *
 * <p>Node ids are {@code epoch << 40 | counter}: a random epoch per host process, so that ids handed
 * out by an earlier run of the server are answered with ESTALE instead of reaching another file.
 */
final class InodeTable implements AutoCloseable {
    private static final int EPOCH = 1 + new SecureRandom().nextInt(0xFFFF);
    private static final long COUNTER_MASK = (1L << 40) - 1;

    private record Key(long dev, long ino) {}

    private final Map<Long, Inode> byId = new HashMap<>();
    private final Map<Key, Inode> byKey = new HashMap<>();
    private final Inode root;
    private final InodeWatcher watcher;
    private long counter = 1;

    /** {@code watcher} is told of every node but the root, which its owner watches from the start. */
    InodeTable(int rootFd, Stat rootStat, InodeWatcher watcher) {
        this.watcher = watcher;
        root = new Inode(FuseProtocol.ROOT_ID, rootFd, rootStat.dev(), rootStat.ino(), rootStat.type());
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
     * Records one lookup of the inode behind {@code fd}; takes ownership of {@code fd} (closes it when
     * the inode was already known).
     */
    synchronized Inode add(int fd, Stat stat) {
        Key key = new Key(stat.dev(), stat.ino());
        Inode known = byKey.get(key);
        if (known != null) {
            FileCalls.closeQuietly(fd);
            known.addLookups(1);
            return known;
        }
        long nodeid = ((long) EPOCH << 40) | (++counter & COUNTER_MASK);
        Inode inode = new Inode(nodeid, fd, stat.dev(), stat.ino(), stat.type());
        inode.addLookups(1);
        byId.put(nodeid, inode);
        byKey.put(key, inode);
        watcher.added(nodeid, fd, stat.dev(), stat.type());
        return inode;
    }

    /** The kernel dropped {@code count} lookups of the node. */
    synchronized void forget(long nodeid, long count) {
        Inode inode = byId.get(nodeid);
        if (inode == null || inode == root) {
            return;
        }
        inode.addLookups(-count);
        if (inode.lookups() <= 0) {
            byId.remove(nodeid);
            byKey.remove(new Key(inode.dev, inode.ino));
            watcher.removed(nodeid, inode.fd);
            FileCalls.closeQuietly(inode.fd);
        }
    }

    synchronized int size() {
        return byId.size();
    }

    @Override
    public synchronized void close() {
        byId.values().forEach(inode -> FileCalls.closeQuietly(inode.fd));
        byId.clear();
        byKey.clear();
    }
}
