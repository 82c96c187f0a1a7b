package io.dpuoffload.exec.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A system call a DPU program made on a host pid (one the host reported for a run), carried as a
 * request of service {@link ExecWire#PID_CALL}: kill, tgkill, sched_setaffinity, sched_getaffinity.
 * The answer is the call's result ({@code -errno} on failure) and, for getaffinity, the mask.
 *
 * @param pid the host pid (tgkill: the thread group)
 * @param tid tgkill's thread id, else 0
 * @param value the signal (kill, tgkill), or the mask size the caller offered (getaffinity)
 * @param mask setaffinity's CPU mask, in the kernel's layout; else empty
 */
public record PidCall(int op, int pid, int tid, int value, byte[] mask) {
    public static final int KILL = 1;
    public static final int TGKILL = 2;
    public static final int SET_AFFINITY = 3;
    public static final int GET_AFFINITY = 4;

    /** The kernel's CPU masks are at most this big (8192 CPUs). */
    public static final int MAX_MASK_BYTES = 1024;

    public ByteBuf encode(ByteBufAllocator alloc) {
        return alloc.buffer(20 + mask.length)
                .writeInt(op)
                .writeInt(pid)
                .writeInt(tid)
                .writeInt(value)
                .writeInt(mask.length)
                .writeBytes(mask);
    }

    public static PidCall decode(ByteBuf in) {
        try {
            int op = in.readInt();
            if (op < KILL || op > GET_AFFINITY) {
                throw new IllegalArgumentException("unknown pid call " + op);
            }
            int pid = in.readInt();
            int tid = in.readInt();
            int value = in.readInt();
            int length = in.readInt();
            if (length < 0 || length > MAX_MASK_BYTES || length > in.readableBytes()) {
                throw new IllegalArgumentException("a CPU mask of " + length + " bytes");
            }
            byte[] mask = new byte[length];
            in.readBytes(mask);
            return new PidCall(op, pid, tid, value, mask);
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated pid call", e);
        }
    }

    /** The answer: the call's result and, for getaffinity, the mask it filled. */
    public record Result(long value, byte[] mask) {
        public ByteBuf encode(ByteBufAllocator alloc) {
            return alloc.buffer(12 + mask.length)
                    .writeLong(value)
                    .writeInt(mask.length)
                    .writeBytes(mask);
        }

        public static Result decode(ByteBuf in) {
            long value = in.readLong();
            int length = in.readInt();
            if (length < 0 || length > MAX_MASK_BYTES || length > in.readableBytes()) {
                throw new IllegalArgumentException("a CPU mask of " + length + " bytes");
            }
            byte[] mask = new byte[length];
            in.readBytes(mask);
            return new Result(value, mask);
        }
    }
}
