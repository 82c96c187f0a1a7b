package io.dpuoffload.fs.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Sessions that outlive a lost connection. The host keeps a session whose connection closed (its
 * nodes, open files, waiting calls) for a while; the DPU, connected again, takes it back with
 * {@link #RESUME} and sends once more, marked {@link #RETRIED}, each request it had no answer to.
 * The host answers a retried request it had already done with the answer it gave then, and runs the
 * others: nothing is done twice, and the DPU's kernel keeps its node ids and file handles.
 *
 * <p>Negotiated: the host offers {@link #FEATURE} at ATTACH; an older host offers nothing, and the
 * DPU attaches anew after a lost connection, as before.
 */
public final class Resumption {
    /** Offered at ATTACH: this host keeps sessions, answers {@link #RESUME} and {@link #RETRIED}. */
    public static final int FEATURE = 2;

    /** In an OP prefix's features: sent before, on a connection that was lost. */
    public static final int RETRIED = 4;

    /** DPU → host: {@code u32 session}, then the export's name; answered as ATTACH is. */
    public static final int RESUME = 0x0103;

    public static ByteBuf resumeRequest(ByteBufAllocator alloc, int session, String export) {
        ByteBuf out = alloc.buffer().writeInt(session);
        out.writeCharSequence(export, StandardCharsets.UTF_8);
        return out;
    }

    /** A {@link #RESUME} request. */
    public record Resume(int session, String export) {
        public static Resume read(ByteBuf body) {
            if (body.readableBytes() < 4) {
                throw new IllegalArgumentException("a RESUME request starts with a session number");
            }
            int session = body.readInt();
            return new Resume(session, body.toString(StandardCharsets.UTF_8));
        }
    }

    private Resumption() {}
}
