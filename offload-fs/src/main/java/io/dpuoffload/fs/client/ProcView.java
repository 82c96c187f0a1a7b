package io.dpuoffload.fs.client;

import io.dpuoffload.fs.fuse.FuseAttr;
import io.dpuoffload.fs.fuse.FuseEntry;
import io.dpuoffload.fs.fuse.FuseInHeader;
import io.dpuoffload.fs.fuse.FuseNegotiated;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.fuse.FuseProtocolException;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.fs.fuse.FuseRequestDecoder;
import io.dpuoffload.linux.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;

/**
 * The DPU's half of a /proc view. In the export's root, {@code self}, {@code thread-self} and the
 * pid of any process that lives on the DPU are answered here, as symlinks into the DPU's own proc
 * (e.g. {@code /local_proc/4711}); every other name goes to the host. A daemon reading
 * {@code /proc/self/status} thus reads its own, while {@code /proc/<qemu pid>} is the host's.
 *
 * <p>Which pids live on the DPU: those that exist in the local proc, whose pid namespace is the
 * one this mount's requests are numbered in (the agent mounts both from the same namespace). A pid
 * that exists on both sides is the DPU's.
 *
 * <p>A DPU pid that stands in for a host program (an exec shim: QEMU's, for libvirt) is the one
 * exception: its lookup goes to the host as the program's host pid, so {@code /proc/<stand-in>}
 * shows the program's CPU time, memory and threads, which the daemon that started it reads as its
 * child's (libvirt's domstats, dominfo and vcpuinfo).
 *
 * <p>The links carry no cache lifetime: "self" means another process for each caller.
 */
final class ProcView {
    /** Synthetic node ids have the top bit set; the host's never do. */
    private static final long LOCAL_BIT = 1L << 63;

    private static final int SYMLINK_MODE = 0120777;

    /** The DPU's proc as the callers see it: what the links point to. */
    private final Path localProc;
    /**
     * The DPU's proc as this process sees it: its own /proc. The callers' pids are numbered in the
     * pid namespace of this (the mounting) process, but their root may differ (a chroot that shows
     * the DPU's proc elsewhere), so the links' targets are no place to look from here.
     */
    private static final Path OWN_PROC = Path.of("/proc");

    private final AtomicLong nextId = new AtomicLong();
    private final Map<Long, byte[]> targets = new ConcurrentHashMap<>();
    private final Map<String, Long> ids = new ConcurrentHashMap<>();

    /** The host pid of the program a DPU pid stands in for; 0 for any other pid. */
    private final IntUnaryOperator programOfStandIn;

    ProcView(Path localProc, IntUnaryOperator programOfStandIn) {
        this.localProc = localProc;
        this.programOfStandIn = programOfStandIn;
    }

    static boolean isLocal(long nodeid) {
        return (nodeid & LOCAL_BIT) != 0;
    }

    /**
     * Whether the request is the DPU's to answer (a DPU pid, "self", or a node under them); if so,
     * answered through {@code reply}.
     */
    boolean answered(
            FuseInHeader header,
            ByteBuffer request,
            FuseNegotiated negotiated,
            Consumer<ByteBuffer> reply,
            BiConsumer<FuseInHeader, ByteBuffer> forward) {
        if (isLocal(header.nodeid())) {
            if (header.kind() == FuseOpcode.FORGET || header.kind() == FuseOpcode.BATCH_FORGET) {
                return true;
            }
            try {
                reply.accept(local(
                        header, FuseRequestDecoder.decode(request, negotiated).operation()));
            } catch (FuseProtocolException e) {
                reply.accept(FuseReplies.error(header.unique(), Errno.EINVAL));
            }
            return true;
        }
        if (header.kind() != FuseOpcode.LOOKUP || header.nodeid() != FuseProtocol.ROOT_ID) {
            return false;
        }
        FuseOperation.Lookup lookup;
        try {
            lookup = (FuseOperation.Lookup)
                    FuseRequestDecoder.decode(request, negotiated).operation();
        } catch (FuseProtocolException e) {
            return false;
        }
        int program = programOf(lookup.name());
        if (program > 0) {
            forward.accept(header, lookupOf(request, Integer.toString(program)));
            return true;
        }
        var local = lookup(header, lookup);
        local.ifPresent(reply);
        return local.isPresent();
    }

    /** The host program's pid when {@code name} is a stand-in's pid, else 0. */
    private int programOf(byte[] name) {
        String text = new String(name, StandardCharsets.US_ASCII);
        return isPid(text) ? programOfStandIn.applyAsInt(Integer.parseInt(text)) : 0;
    }

    /** {@code request} (a LOOKUP, header first) for {@code name} instead: the same header, its length changed. */
    private static ByteBuffer lookupOf(ByteBuffer request, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        int length = FuseProtocol.IN_HEADER_SIZE + bytes.length + 1;
        ByteBuffer rewritten = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        rewritten.put(request.duplicate().limit(request.position() + FuseProtocol.IN_HEADER_SIZE));
        rewritten.putInt(0, length).put(bytes).put((byte) 0).flip();
        return rewritten;
    }

    /** The local answer to a lookup in the root, or empty to ask the host. */
    Optional<ByteBuffer> lookup(FuseInHeader h, FuseOperation.Lookup op) {
        if (h.nodeid() != FuseProtocol.ROOT_ID) {
            return Optional.empty();
        }
        String name = new String(op.name(), StandardCharsets.US_ASCII);
        String target;
        if (name.equals("self")) {
            target = localProc + "/" + tgid(h.pid());
        } else if (name.equals("thread-self")) {
            target = localProc + "/" + tgid(h.pid()) + "/task/" + h.pid();
        } else if (isPid(name) && Files.exists(OWN_PROC.resolve(name))) {
            target = localProc + "/" + name;
        } else {
            return Optional.empty();
        }
        long nodeid = ids.computeIfAbsent(target, t -> {
            long id = LOCAL_BIT | nextId.incrementAndGet();
            targets.put(id, t.getBytes(StandardCharsets.UTF_8));
            return id;
        });
        return Optional.of(FuseReplies.entry(h.unique(), new FuseEntry(nodeid, 0, 0, 0, 0, 0, attr(nodeid))));
    }

    /** GETATTR, READLINK and FORGET of a synthetic node; everything else on it is EINVAL. */
    ByteBuffer local(FuseInHeader h, FuseOperation op) {
        byte[] target = targets.get(h.nodeid());
        if (target == null) {
            return FuseReplies.error(h.unique(), io.dpuoffload.linux.Errno.ESTALE);
        }
        return switch (op) {
            case FuseOperation.Getattr g -> FuseReplies.attr(h.unique(), 0, 0, attr(h.nodeid()));
            case FuseOperation.Readlink r -> FuseReplies.data(h.unique(), target);
            default -> FuseReplies.error(h.unique(), io.dpuoffload.linux.Errno.EINVAL);
        };
    }

    private FuseAttr attr(long nodeid) {
        byte[] target = targets.get(nodeid);
        long now = System.currentTimeMillis() / 1000;
        return new FuseAttr(
                nodeid & ~LOCAL_BIT, target.length, 0, now, now, now, 0, 0, 0, SYMLINK_MODE, 1, 0, 0, 0, 4096, 0);
    }

    /** The process (thread group) of a thread, so that "self" names the process as locally. */
    private String tgid(int tid) {
        try (var lines = Files.lines(OWN_PROC.resolve(Integer.toString(tid)).resolve("status"))) {
            return lines.filter(l -> l.startsWith("Tgid:"))
                    .map(l -> l.substring(5).strip())
                    .findFirst()
                    .orElse(Integer.toString(tid));
        } catch (Exception e) {
            return Integer.toString(tid);
        }
    }

    private static boolean isPid(String name) {
        if (name.isEmpty() || name.length() > 9) { // below 2^31, as pid_max is
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
