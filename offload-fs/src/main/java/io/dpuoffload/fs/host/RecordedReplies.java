package io.dpuoffload.fs.host;

import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A session's answers to the requests that must not run twice, by FUSE unique, for the DPU to ask
 * for again after a lost connection (see {@link io.dpuoffload.fs.wire.Resumption}): a retried
 * create whose first run made the file gets that file, not EEXIST; a retried fifo read gets the
 * bytes the first took from the fifo. Requests that can simply run again (reads of regular files,
 * getattr, readdir) are not kept. Bounded in count and bytes, the oldest going first: a connection
 * is lost with at most a few hundred requests in flight.
 */
final class RecordedReplies {
    private static final int MAX_ENTRIES = 4096;
    private static final long MAX_BYTES = 16L * 1024 * 1024;

    private record Entry(CompletableFuture<byte[]> reply, long[] bytes) {}

    private final LinkedHashMap<Long, Entry> byUnique = new LinkedHashMap<>();
    private long bytes;

    /** Whether running {@code request} twice would differ from running it once. */
    static boolean mustNotRunTwice(HostSession session, FuseRequest request) {
        return switch (request.operation()) {
            case FuseOperation.Lookup o -> true; // counts a reference to the node, which FORGET gives back
            case FuseOperation.Create o -> true;
            case FuseOperation.Tmpfile o -> true;
            case FuseOperation.Mknod o -> true;
            case FuseOperation.Mkdir o -> true;
            case FuseOperation.Symlink o -> true;
            case FuseOperation.Link o -> true;
            case FuseOperation.Unlink o -> true;
            case FuseOperation.Rmdir o -> true;
            case FuseOperation.Rename o -> true;
            case FuseOperation.Rename2 o -> true;
            case FuseOperation.Open o -> true; // a second handle nobody would release
            case FuseOperation.Opendir o -> true;
            case FuseOperation.Write o -> true; // appends
            case FuseOperation.Setattr o -> true;
            case FuseOperation.Setxattr o -> true;
            case FuseOperation.Removexattr o -> true;
            case FuseOperation.Ioctl o -> true;
            case FuseOperation.Read o -> session.handles.isBlocking(o.fh()); // a fifo's bytes are taken
            default -> false;
        };
    }

    /** The answer recorded for {@code unique}, done or still coming; null if there is none. */
    synchronized CompletableFuture<ByteBuf> find(long unique) {
        Entry entry = byUnique.get(unique);
        return entry == null ? null : entry.reply.thenApply(Unpooled::wrappedBuffer);
    }

    /** Records {@code reply}, the answer to {@code unique} as it will be sent; returns it to send. */
    CompletableFuture<ByteBuf> record(long unique, CompletableFuture<ByteBuf> reply) {
        Entry entry = new Entry(new CompletableFuture<>(), new long[1]);
        synchronized (this) {
            byUnique.put(unique, entry);
            trim();
        }
        return reply.whenComplete((answer, failure) -> {
            if (failure != null) {
                forget(unique, entry);
                entry.reply.completeExceptionally(failure); // a retry waiting on it fails the same
                return;
            }
            byte[] copy = ByteBufUtil.getBytes(answer);
            synchronized (this) {
                if (byUnique.get(unique) == entry) {
                    entry.bytes[0] = copy.length;
                    bytes += copy.length;
                    trim();
                }
            }
            entry.reply.complete(copy);
        });
    }

    synchronized int size() {
        return byUnique.size();
    }

    private synchronized void forget(long unique, Entry entry) {
        if (byUnique.remove(unique, entry)) {
            bytes -= entry.bytes[0];
        }
    }

    private void trim() {
        Iterator<Map.Entry<Long, Entry>> oldest = byUnique.entrySet().iterator();
        while ((byUnique.size() > MAX_ENTRIES || bytes > MAX_BYTES) && oldest.hasNext()) {
            bytes -= oldest.next().getValue().bytes[0];
            oldest.remove();
        }
    }
}
