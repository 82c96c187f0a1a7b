package io.dpuoffload.fs.host.watch;

import io.dpuoffload.fs.fuse.FuseNotifications;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.linux.Fanotify;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * What a batch of host events means for the DPU's kernel, each thing once however many events say
 * it: forget the attributes of these nodes, and expire these names. Pure.
 *
 * <p>Attributes only (offset -1), never pages: with FUSE_AUTO_INVAL_DATA the kernel drops a file's
 * pages itself when the attributes it fetches next show another size or mtime, and a change that
 * moved neither leaves its pages as they are, as a change of owner or mode should. Names are
 * expired (FUSE_EXPIRE_ONLY), not dropped: dropping a dentry would also detach any mount the DPU has
 * beneath it, and the next lookup replaces an expired one anyway. The parent's attributes go too,
 * so a cached listing is read again (the kernel compares the directory's mtime at the next opendir)
 * even when the DPU never looked up the new name.
 */
final class Invalidations {
    /** Events that change a directory's names; the event names the directory and the entry. */
    static final long NAME_EVENTS =
            Fanotify.FAN_CREATE | Fanotify.FAN_DELETE | Fanotify.FAN_MOVED_FROM | Fanotify.FAN_MOVED_TO;

    /** Events that change an inode's content or attributes. */
    static final long INODE_EVENTS = Fanotify.FAN_MODIFY | Fanotify.FAN_ATTRIB | Fanotify.FAN_DELETE_SELF;

    /** No node: the inode is not one the DPU knows. */
    static final long UNKNOWN = 0;

    private record Entry(long parent, byte[] name) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.parent == parent && Arrays.equals(e.name, name);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(parent) * 31 + Arrays.hashCode(name);
        }
    }

    private final Set<Long> nodes = new LinkedHashSet<>();
    private final Set<Entry> entries = new LinkedHashSet<>();
    private boolean overflowed;

    /** Adds what {@code event} means; events of the server's own threads and of unknown inodes mean nothing. */
    void add(HostEvent event, ToLongFunction<FileId> nodeOf, java.util.function.IntPredicate ownThread) {
        if ((event.mask() & Fanotify.FAN_Q_OVERFLOW) != 0) {
            overflowed = true;
            return;
        }
        if (ownThread.test(event.tid())) {
            return;
        }
        if ((event.mask() & INODE_EVENTS) != 0) {
            FileId object =
                    event.object() != null ? event.object() : event.onDirectoryItself() ? event.directory() : null;
            long node = object == null ? UNKNOWN : nodeOf.applyAsLong(object);
            if (node != UNKNOWN) {
                nodes.add(node);
            }
        }
        if ((event.mask() & NAME_EVENTS) != 0 && event.directory() != null && isName(event.name())) {
            long parent = nodeOf.applyAsLong(event.directory());
            if (parent != UNKNOWN) {
                nodes.add(parent);
                entries.add(new Entry(parent, event.name()));
            }
        }
    }

    /** Adds {@code node}'s attributes, whatever the events said (after an overflow: all of them). */
    void changed(long node) {
        nodes.add(node);
    }

    /** The kernel dropped events: nothing says which files changed. */
    boolean overflowed() {
        return overflowed;
    }

    boolean isEmpty() {
        return nodes.isEmpty() && entries.isEmpty() && !overflowed;
    }

    /** The notifications, attributes first, and a fresh start. */
    List<ByteBuffer> drain() {
        List<ByteBuffer> messages = new ArrayList<>(nodes.size() + entries.size());
        nodes.forEach(node -> messages.add(FuseNotifications.invalInode(node, -1, 0)));
        entries.forEach(e -> messages.add(FuseNotifications.invalEntry(e.parent, e.name, FuseProtocol.EXPIRE_ONLY)));
        nodes.clear();
        entries.clear();
        overflowed = false;
        return messages;
    }

    private static boolean isName(byte[] name) {
        return name != null
                && name.length > 0
                && name.length <= FuseProtocol.NAME_MAX
                && !(name.length == 1 && name[0] == '.');
    }
}
