package io.dpuoffload.exec.wire;

import io.dpuoffload.ipc.wire.Records;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * offload-exec on the channel: one byte stream per remote process, of service {@link #EXEC}, its
 * header an {@link ExecRequest}. The stream then carries records (offload-ipc's framing): stdin and
 * signals from the client; the host pid, stdout, stderr and finally the exit from the host.
 */
public final class ExecWire {
    public static final int EXEC = 0x0300;
    /** A relay of an inherited pipe, socket or listener's connection (offload-ipc's passed-descriptor streams). */
    public static final int INHERITED_FD = 0x0301;
    /** A request: a system call a DPU program made on a host pid (see {@link PidCall}). */
    public static final int PID_CALL = 0x0302;
    /**
     * A client takes over a durable run whose connection was lost: the header is the run's token;
     * the stream then goes on as an {@link #EXEC} stream does, from {@link #STARTED}.
     */
    public static final int REATTACH = 0x0303;
    /**
     * A console of a run's program: the header is {@code u32 host pid, u32 pty number}, a pty whose
     * master that program holds (QEMU's serial port); the stream then carries the terminal's bytes
     * both ways (see {@code io.dpuoffload.exec.console.ConsoleRelay}).
     */
    public static final int CONSOLE = 0x0304;

    /** A durable run's token: 16 random bytes that only the host and the run's client know. */
    public static final int TOKEN_BYTES = 16;

    // client → host
    public static final int STDIN = 20;
    public static final int STDIN_END = 21;
    public static final int SIGNAL = 22;
    /** The client can no longer write the program's stdout (1) or stderr (2): its reader went away. */
    public static final int OUTPUT_GONE = 23;
    /** The client's terminal changed size: rows and columns, for the program's pty. */
    public static final int WINDOW_SIZE = 24;

    // host → client
    /** The program's host pid, then (for a durable run) its token. */
    public static final int STARTED = 30;

    public static final int STDOUT = 31;
    public static final int STDERR = 32;
    public static final int EXIT = 33;
    /** Host pids of descendants still running when the program exited (daemonized), before EXIT. */
    public static final int DESCENDANTS = 35;

    /** The program could not be started: an exit status (126, 127) and a message for stderr. */
    public static final int REFUSED = 34;

    private ExecWire() {}

    public static ByteBuf intRecord(ByteBufAllocator alloc, int kind, int value) {
        return Records.record(alloc, kind, alloc.buffer(4).writeInt(value));
    }

    public static ByteBuf exit(ByteBufAllocator alloc, boolean signalled, int value) {
        return Records.record(
                alloc, EXIT, alloc.buffer(5).writeBoolean(signalled).writeInt(value));
    }

    public static ByteBuf refused(ByteBufAllocator alloc, int status, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        return Records.record(
                alloc, REFUSED, alloc.buffer(4 + text.length).writeInt(status).writeBytes(text));
    }

    public static ByteBuf empty(ByteBufAllocator alloc, int kind) {
        return Records.record(alloc, kind, Unpooled.EMPTY_BUFFER);
    }
}
