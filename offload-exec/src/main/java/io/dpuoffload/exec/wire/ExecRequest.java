package io.dpuoffload.exec.wire;

import io.dpuoffload.ipc.wire.PassedFds;
import io.dpuoffload.linux.Terminals;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client asks the host to run, as exact bytes: the program path, argv (argv[0] included),
 * the environment ({@code NAME=value} entries), the working directory and the umask; and the
 * descriptors above 2 it inherits, each described as offload-ipc passes descriptors; and, when its
 * stdin is a terminal, the window size of the pseudo-terminal it gets on the host.
 */
public record ExecRequest(
        byte[] program,
        List<byte[]> argv,
        List<byte[]> environment,
        byte[] cwd,
        int umask,
        List<Inherited> inherited,
        Terminals.WindowSize terminal,
        boolean durable) {
    private static final int VERSION = 3;

    /** Descriptor {@code number} of the program is {@code fd}. */
    public record Inherited(int number, PassedFds.PassedFd fd) {}

    public ExecRequest(byte[] program, List<byte[]> argv, List<byte[]> environment, byte[] cwd, int umask) {
        this(program, argv, environment, cwd, umask, List.of(), null, false);
    }

    public ExecRequest withInherited(List<Inherited> fds) {
        return new ExecRequest(program, argv, environment, cwd, umask, List.copyOf(fds), terminal, durable);
    }

    /** This request, run on a pseudo-terminal of {@code window}'s size (the client's stdin is a terminal). */
    public ExecRequest withTerminal(Terminals.WindowSize window) {
        return new ExecRequest(program, argv, environment, cwd, umask, inherited, window, durable);
    }

    /**
     * This request as a run that outlives its client's connection for a while (the host's grace
     * period): a client that comes back with the run's token takes it over again. For programs that
     * must survive a restart of the DPU agent, such as a VM's QEMU.
     */
    public ExecRequest asDurable() {
        return new ExecRequest(program, argv, environment, cwd, umask, inherited, terminal, true);
    }

    public String programName() {
        return new String(program, StandardCharsets.UTF_8);
    }

    /** This request without the environment variables named in {@code names} (an operator's filter). */
    public ExecRequest withoutEnvironment(java.util.Collection<String> names) {
        List<byte[]> kept = new ArrayList<>(environment.size());
        for (byte[] entry : environment) {
            int equals = 0;
            while (equals < entry.length && entry[equals] != '=') {
                equals++;
            }
            if (!names.contains(new String(entry, 0, equals, StandardCharsets.UTF_8))) {
                kept.add(entry);
            }
        }
        return new ExecRequest(program, argv, kept, cwd, umask, inherited, terminal, durable);
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer();
        out.writeByte(VERSION);
        writeBytes(out, program);
        writeList(out, argv);
        writeList(out, environment);
        writeBytes(out, cwd);
        out.writeInt(umask);
        out.writeShort(inherited.size());
        inherited.forEach(fd -> out.writeInt(fd.number()));
        PassedFds.write(out, inherited.stream().map(Inherited::fd).toList());
        out.writeBoolean(terminal != null);
        if (terminal != null) {
            out.writeShort(terminal.rows()).writeShort(terminal.columns());
        }
        out.writeBoolean(durable);
        return out;
    }

    public static ExecRequest decode(ByteBuf in) {
        try {
            if (in.readUnsignedByte() != VERSION) {
                throw new IllegalArgumentException("not an offload-exec request of version " + VERSION);
            }
            byte[] program = readBytes(in);
            List<byte[]> argv = readList(in);
            List<byte[]> environment = readList(in);
            byte[] cwd = readBytes(in);
            int umask = in.readInt();
            int[] numbers = new int[in.readUnsignedShort()];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = in.readInt();
            }
            List<PassedFds.PassedFd> fds = PassedFds.read(in);
            if (fds.size() != numbers.length) {
                throw new IllegalArgumentException(
                        numbers.length + " inherited descriptors but " + fds.size() + " described");
            }
            List<Inherited> inherited = new ArrayList<>(numbers.length);
            for (int i = 0; i < numbers.length; i++) {
                if (numbers[i] <= 2) {
                    throw new IllegalArgumentException("inherited descriptor " + numbers[i] + " (0-2 are stdio)");
                }
                inherited.add(new Inherited(numbers[i], fds.get(i)));
            }
            Terminals.WindowSize terminal =
                    in.readBoolean() ? new Terminals.WindowSize(in.readUnsignedShort(), in.readUnsignedShort()) : null;
            boolean durable = in.readBoolean();
            return new ExecRequest(program, argv, environment, cwd, umask, List.copyOf(inherited), terminal, durable);
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated offload-exec request", e);
        }
    }

    private static void writeBytes(ByteBuf out, byte[] bytes) {
        out.writeInt(bytes.length).writeBytes(bytes);
    }

    private static void writeList(ByteBuf out, List<byte[]> values) {
        out.writeInt(values.size());
        values.forEach(v -> writeBytes(out, v));
    }

    private static byte[] readBytes(ByteBuf in) {
        int length = in.readInt();
        if (length < 0 || length > in.readableBytes()) {
            throw new IllegalArgumentException("a field of " + length + " bytes in a request of " + in.readableBytes());
        }
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return bytes;
    }

    private static List<byte[]> readList(ByteBuf in) {
        int count = in.readInt();
        if (count < 0 || count > in.readableBytes() / 4) {
            throw new IllegalArgumentException("a list of " + count + " entries in a request of " + in.readableBytes());
        }
        List<byte[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(readBytes(in));
        }
        return values;
    }
}
