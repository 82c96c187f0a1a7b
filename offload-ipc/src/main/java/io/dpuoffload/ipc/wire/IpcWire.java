package io.dpuoffload.ipc.wire;

import io.dpuoffload.linux.SocketName;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * offload-ipc on the channel. A carried connection is one byte stream of service {@link #CONNECT},
 * opened by the side where the connection was made; its header names the socket to connect to on
 * the other side. The stream then carries {@link Records}: first a STATUS from the side that
 * connected (0, or the errno its connect got), then DATA both ways until each side finishes.
 */
public final class IpcWire {
    /** Stream service: carry one Unix-socket connection to the peer. */
    public static final int CONNECT = 0x0200;

    /**
     * Stream service: relay a pipe end or socket passed with a message (SCM_RIGHTS). The header is
     * the token that the message's FDS record names.
     */
    public static final int PASSED_FD = 0x0201;

    public static ByteBuf passedFdHeader(ByteBufAllocator alloc, long token) {
        return alloc.buffer(9).writeByte(VERSION).writeLong(token);
    }

    public static long readPassedFdHeader(ByteBuf header) {
        if (header.readableBytes() < 9 || header.readUnsignedByte() != VERSION) {
            throw new IllegalArgumentException("not an offload-ipc passed-descriptor header of version " + VERSION);
        }
        return header.readLong();
    }

    /** Header version, so that a later one (fds in the header, credentials) is refused cleanly. */
    static final int VERSION = 1;

    /** What the opening side asks for. */
    public record ConnectRequest(SocketName target, int socketType, int uid, int gid, int pid) {}

    public static ByteBuf connectHeader(ByteBufAllocator alloc, ConnectRequest request) {
        byte[] name = request.target().bytes();
        ByteBuf header = alloc.buffer(16 + name.length);
        header.writeByte(VERSION);
        header.writeByte(request.socketType());
        header.writeByte(request.target().isAbstract() ? 1 : 0);
        header.writeShort(name.length);
        header.writeBytes(name);
        header.writeInt(request.uid());
        header.writeInt(request.gid());
        header.writeInt(request.pid());
        return header;
    }

    public static ConnectRequest readConnectHeader(ByteBuf header) {
        if (header.readableBytes() < 5 || header.readUnsignedByte() != VERSION) {
            throw new IllegalArgumentException("not an offload-ipc connect header of version " + VERSION);
        }
        int type = header.readUnsignedByte();
        boolean isAbstract = header.readUnsignedByte() == 1;
        int length = header.readUnsignedShort();
        if (header.readableBytes() < length + 12) {
            throw new IllegalArgumentException("truncated offload-ipc connect header");
        }
        byte[] name = new byte[length];
        header.readBytes(name);
        return new ConnectRequest(
                new SocketName(name, isAbstract), type, header.readInt(), header.readInt(), header.readInt());
    }

    private IpcWire() {}
}
