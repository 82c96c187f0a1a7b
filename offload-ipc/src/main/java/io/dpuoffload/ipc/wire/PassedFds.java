package io.dpuoffload.ipc.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The descriptors passed with one message (SCM_RIGHTS), in order, as an FDS record that comes just
 * before the message's DATA record. A regular file travels as its path, open flags and offset, to be
 * opened again on the other side; a pipe end or a socket travels as a token naming a stream of
 * service {@link IpcWire#PASSED_FD} that relays it; a TAP interface's descriptor as the interface's
 * name and settings, made again on the other side.
 */
public final class PassedFds {
    private static final int FILE = 0;
    private static final int PIPE = 1;
    private static final int SOCKET = 2;
    private static final int LISTENER = 3;
    private static final int TAP = 4;
    private static final int DEVICE = 5;

    /** One passed descriptor, as the receiving side must recreate it. */
    public sealed interface PassedFd {}

    /** A regular file (or a fifo opened by path is not this: fifos are relayed as pipes). */
    public record File(String path, int flags, long offset) implements PassedFd {}

    /** A pipe or fifo end; {@code readEnd}: the receiver gets a read end (data flows towards it). */
    public record Pipe(boolean readEnd, long token) implements PassedFd {}

    /** A connected socket of {@code type}. */
    public record Socket(int type, long token) implements PassedFd {}

    /**
     * A listening socket of {@code type} (in non-blocking mode or not): the receiver gets a listening
     * socket of its own, and each connection the sender's accepts arrives there as a stream of
     * {@code token}.
     *
     * @param path where the sender's socket is bound, as a path on the receiver's side (empty when it
     *     is bound nowhere the receiver sees): the receiver binds its own there, so a client that
     *     connects by path reaches it without the sender (a DPU agent that restarts)
     */
    public record Listener(int type, boolean nonBlocking, long token, String path) implements PassedFd {
        public Listener(int type, boolean nonBlocking, long token) {
            this(type, nonBlocking, token, "");
        }
    }

    /**
     * A TAP or TUN interface's descriptor (a VM's NIC): the receiver attaches to an interface of the
     * same name and flags of its own and gives it the sender's settings.
     *
     * @param flags the {@code IFF_*} flags it was attached with
     * @param mac its hardware address, or empty (a tun has none)
     * @param bridge the bridge it is a port of, or empty
     */
    public record Tap(String name, int flags, String mac, int mtu, boolean up, String bridge) implements PassedFd {}

    /**
     * A device whose open on either side is the same thing (vhost-net: a new instance, bound to the
     * process that first uses it), opened again by the receiver at {@code path} with {@code flags}.
     */
    public record Device(String path, int flags) implements PassedFd {}

    public static ByteBuf record(ByteBufAllocator alloc, List<PassedFd> fds) {
        ByteBuf payload = alloc.buffer();
        write(payload, fds);
        ByteBuf header =
                alloc.buffer(Records.HEADER_BYTES).writeByte(Records.FDS).writeInt(payload.readableBytes());
        return alloc.compositeBuffer(2).addComponents(true, header, payload);
    }

    /** Writes {@code fds} as {@link #read} reads them. */
    public static void write(ByteBuf payload, List<PassedFd> fds) {
        payload.writeShort(fds.size());
        for (PassedFd fd : fds) {
            switch (fd) {
                case File file -> {
                    byte[] path = file.path().getBytes(StandardCharsets.UTF_8);
                    payload.writeByte(FILE).writeInt(file.flags()).writeLong(file.offset());
                    payload.writeShort(path.length).writeBytes(path);
                }
                case Pipe pipe ->
                    payload.writeByte(PIPE).writeBoolean(pipe.readEnd()).writeLong(pipe.token());
                case Socket socket ->
                    payload.writeByte(SOCKET).writeInt(socket.type()).writeLong(socket.token());
                case Listener listener -> {
                    byte[] path = listener.path().getBytes(StandardCharsets.UTF_8);
                    payload.writeByte(LISTENER)
                            .writeInt(listener.type())
                            .writeBoolean(listener.nonBlocking())
                            .writeLong(listener.token());
                    payload.writeShort(path.length).writeBytes(path);
                }
                case Device device -> {
                    payload.writeByte(DEVICE).writeInt(device.flags());
                    writeString(payload, device.path());
                }
                case Tap tap -> {
                    payload.writeByte(TAP)
                            .writeInt(tap.flags())
                            .writeInt(tap.mtu())
                            .writeBoolean(tap.up());
                    writeString(payload, tap.name());
                    writeString(payload, tap.mac());
                    writeString(payload, tap.bridge());
                }
            }
        }
    }

    private static void writeString(ByteBuf payload, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        payload.writeShort(bytes.length).writeBytes(bytes);
    }

    private static String readString(ByteBuf payload) {
        byte[] bytes = new byte[payload.readUnsignedShort()];
        payload.readBytes(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The descriptors of an FDS record's payload; IllegalArgumentException when it is malformed. */
    public static List<PassedFd> read(ByteBuf payload) {
        try {
            int count = payload.readUnsignedShort();
            List<PassedFd> fds = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int kind = payload.readUnsignedByte();
                fds.add(
                        switch (kind) {
                            case FILE -> {
                                int flags = payload.readInt();
                                long offset = payload.readLong();
                                byte[] path = new byte[payload.readUnsignedShort()];
                                payload.readBytes(path);
                                yield new File(new String(path, StandardCharsets.UTF_8), flags, offset);
                            }
                            case PIPE -> new Pipe(payload.readBoolean(), payload.readLong());
                            case SOCKET -> new Socket(payload.readInt(), payload.readLong());
                            case LISTENER -> {
                                int type = payload.readInt();
                                boolean nonBlocking = payload.readBoolean();
                                long token = payload.readLong();
                                byte[] path = new byte[payload.readUnsignedShort()];
                                payload.readBytes(path);
                                yield new Listener(type, nonBlocking, token, new String(path, StandardCharsets.UTF_8));
                            }
                            case DEVICE -> {
                                int flags = payload.readInt();
                                yield new Device(readString(payload), flags);
                            }
                            case TAP -> {
                                int flags = payload.readInt();
                                int mtu = payload.readInt();
                                boolean up = payload.readBoolean();
                                yield new Tap(
                                        readString(payload), flags, readString(payload), mtu, up, readString(payload));
                            }
                            default -> throw new IllegalArgumentException("unknown passed descriptor kind " + kind);
                        });
            }
            return fds;
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated FDS record", e);
        }
    }

    private PassedFds() {}
}
