package io.dpuoffload.fs.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * What offload-fs adds around the kernel's FUSE messages on the channel. Three services:
 *
 * <ul>
 *   <li>{@link #ATTACH}: the DPU names an export; the host answers with a session and the export's
 *       policy.
 *   <li>{@link #OP}: one FUSE request, prefixed with the session and the caller's supplementary
 *       groups (the FUSE header carries only uid, gid and pid); the answer is the FUSE reply as the
 *       kernel expects it.
 * </ul>
 */
public final class FsWire {
    public static final int ATTACH = 0x0100;
    public static final int OP = 0x0101;
    /** Host → DPU: a FUSE notification (e.g. a fifo became readable) for the session's mount. */
    public static final int NOTIFY = 0x0102;

    /** NGROUPS_MAX is 65536, but a caller with more than 256 groups is unheard of; the rest are dropped. */
    public static final int MAX_GROUPS = 256;

    public static ByteBuf attachRequest(ByteBufAllocator alloc, String export) {
        ByteBuf out = alloc.buffer();
        out.writeCharSequence(export, StandardCharsets.UTF_8);
        return out;
    }

    public static String attachExport(ByteBuf body) {
        return body.toString(StandardCharsets.UTF_8);
    }

    /**
     * The session, the policy, then the wire features the host offers (e.g. {@link PostOpAttrs#FEATURE}).
     * An older DPU reads the fields it knows and ignores the features behind them.
     */
    public static ByteBuf attachReply(ByteBufAllocator alloc, ExportPolicy policy) {
        return alloc.buffer(16)
                .writeInt(policy.session())
                .writeByte((policy.readOnly() ? 1 : 0) | (policy.procView() ? 2 : 0) | (policy.cached() ? 4 : 0))
                .writeInt((int) policy.ttlMillis())
                .writeInt(policy.features());
    }

    /** An older host sends no features: none are offered. */
    public static ExportPolicy attachPolicy(ByteBuf reply) {
        int session = reply.readInt();
        int flags = reply.readUnsignedByte();
        long ttl = reply.readUnsignedInt();
        int features = reply.readableBytes() >= 4 ? reply.readInt() : 0;
        return new ExportPolicy(session, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, ttl, features);
    }

    /**
     * Set in the OP prefix's group count when the features the DPU asks of this request's reply
     * follow the count. Only sent to a host that offered features at ATTACH: an older host refuses
     * such a count (more than {@link #MAX_GROUPS}).
     */
    static final int FEATURES_FOLLOW = 0x8000;

    /**
     * The OP prefix; the raw FUSE request follows it in the same buffer. It carries what the DPU
     * agreed with its kernel at INIT (minor version, flags), because some request layouts depend on
     * it and the host never sees INIT.
     */
    public static void writeOpPrefix(ByteBuf out, int session, int minor, long flags, int[] groups) {
        writeOpPrefix(out, session, minor, flags, groups, 0);
    }

    /** The same, asking for {@code features} (offered by the host at ATTACH) in the reply; 0 asks for none. */
    public static void writeOpPrefix(ByteBuf out, int session, int minor, long flags, int[] groups, int features) {
        int count = Math.min(groups.length, MAX_GROUPS);
        out.writeInt(session).writeShort(minor).writeLong(flags);
        if (features == 0) {
            out.writeShort(count);
        } else {
            out.writeShort(count | FEATURES_FOLLOW).writeInt(features);
        }
        for (int i = 0; i < count; i++) {
            out.writeInt(groups[i]);
        }
    }

    /**
     * Marks an OP, as written by {@link #writeOpPrefix}, as sent before ({@link Resumption#RETRIED});
     * false when its prefix has no features to mark (features 0 leaves them out).
     */
    public static boolean markRetried(ByteBuf op) {
        int at = op.readerIndex() + 4 + 2 + 8;
        if ((op.getUnsignedShort(at) & FEATURES_FOLLOW) == 0) {
            return false;
        }
        op.setInt(at + 2, op.getInt(at + 2) | Resumption.RETRIED);
        return true;
    }

    /** Reads the OP prefix, leaving the reader at the raw FUSE request. */
    public static OpPrefix readOpPrefix(ByteBuf in) {
        int session = in.readInt();
        int minor = in.readUnsignedShort();
        long flags = in.readLong();
        int count = in.readUnsignedShort();
        int features = 0;
        if ((count & FEATURES_FOLLOW) != 0) {
            count &= ~FEATURES_FOLLOW;
            if (in.readableBytes() < 4) {
                throw new IllegalArgumentException("features announced, none follow");
            }
            features = in.readInt();
        }
        if (count > MAX_GROUPS || in.readableBytes() < count * 4) {
            throw new IllegalArgumentException("bad group count " + count);
        }
        int[] groups = new int[count];
        for (int i = 0; i < count; i++) {
            groups[i] = in.readInt();
        }
        return new OpPrefix(session, minor, flags, groups, features);
    }

    /** @param features what the DPU asks of the reply (see {@link PostOpAttrs}) */
    public record OpPrefix(int session, int minor, long flags, int[] groups, int features) {}

    /**
     * The host's answer to a FUSE INTERRUPT sent as an OP (the kernel expects none): one byte, 1 if
     * the call waits and its thread was signalled, 0 if no such call waits (it never waits, or it is
     * over), so the DPU knows whether to wait for the call to end early.
     */
    public static ByteBuf interruptReply(boolean waits) {
        return io.netty.buffer.Unpooled.buffer(1).writeByte(waits ? 1 : 0);
    }

    /** Whether the host said the interrupted call waits; an empty answer (an older host) counts as yes. */
    public static boolean interruptedCallWaits(ByteBuf reply) {
        return reply.readableBytes() == 0 || reply.getByte(reply.readerIndex()) != 0;
    }

    private FsWire() {}
}
