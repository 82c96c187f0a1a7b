package io.dpuoffload.ipc.wire;

import io.dpuoffload.linux.SocketName;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * offload-ipc on the channel. A carried connection is one byte stream of service {@link #CONNECT},
 * opened by the side where the connection was made; its header names the socket to connect to on
 * the other side. The stream then carries {@link Records}: first a STATUS from the side that
 * connected (0, or the errno its connect got), then DATA both ways until each side finishes.
 *
 * <p>Resumable connections (docs/offload-ipc.md, "Surviving a lost channel"): the opener appends a
 * {@link ResumeToken} to the connect header (a peer of the first version reads past it); an
 * acceptor that can resume answers with a longer STATUS ({@link Records#resumableStatus}). Both
 * then number their DATA, FDS and END records, acknowledge what they received with {@link #ACK}
 * notices, and keep what they sent until it is acknowledged. After the channel is back, the opener
 * opens a stream of {@link #RESUME} naming the token and how many records it received; the acceptor
 * answers with a resumable STATUS giving its own count (or an errno: it does not know the token),
 * and both send again what the other has not received.
 */
public final class IpcWire {
    /** Stream service: carry one Unix-socket connection to the peer. */
    public static final int CONNECT = 0x0200;

    /**
     * Stream service: relay a pipe end or socket passed with a message (SCM_RIGHTS). The header is
     * the token that the message's FDS record names.
     */
    public static final int PASSED_FD = 0x0201;

    /**
     * Stream service: take over a resumable connection after the channel was lost. The header is
     * {@link #resumeHeader}; the answer a resumable STATUS, then the connection's records go on.
     */
    public static final int RESUME = 0x0202;

    /**
     * Notice service: the records of a resumable connection received so far ({@link #ackBody}).
     * Not a record on the connection's own stream: there it would wait behind that direction's data
     * for stream window, which the peer gives back only as its socket's reader takes data, while
     * the peer may be waiting for this acknowledgement to read more (an echo would stall for good).
     */
    public static final int ACK = 0x0203;

    /**
     * Notice service: the sender's instance (a {@link ResumeToken} made when its process started),
     * its first message on every connection. A different instance than before means the peer
     * restarted: the connections it had opened here will never be resumed.
     */
    public static final int INSTANCE = 0x0204;

    public static ByteBuf instanceBody(ByteBufAllocator alloc, ResumeToken instance) {
        return instance.writeTo(alloc.buffer(1 + ResumeToken.BYTES).writeByte(VERSION));
    }

    public static ResumeToken readInstanceBody(ByteBuf body) {
        if (body.readableBytes() < 1 + ResumeToken.BYTES || body.readUnsignedByte() != VERSION) {
            throw new IllegalArgumentException("not an offload-ipc instance notice of version " + VERSION);
        }
        return ResumeToken.readFrom(body);
    }

    public static ByteBuf resumeHeader(ByteBufAllocator alloc, ResumeToken token, long received) {
        return token.writeTo(alloc.buffer(1 + ResumeToken.BYTES + 8).writeByte(VERSION))
                .writeLong(received);
    }

    /** A resume request: the connection, and how many of its records the opener received. */
    public record Resume(ResumeToken token, long received) {}

    public static Resume readResumeHeader(ByteBuf header) {
        if (header.readableBytes() < 1 + ResumeToken.BYTES + 8 || header.readUnsignedByte() != VERSION) {
            throw new IllegalArgumentException("not an offload-ipc resume header of version " + VERSION);
        }
        return new Resume(ResumeToken.readFrom(header), header.readLong());
    }

    public static ByteBuf ackBody(ByteBufAllocator alloc, ResumeToken token, long received) {
        return token.writeTo(alloc.buffer(1 + ResumeToken.BYTES + 8).writeByte(VERSION))
                .writeLong(received);
    }

    public static Resume readAckBody(ByteBuf body) {
        return readResumeHeader(body);
    }

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

    /**
     * What the opening side asks for.
     *
     * @param token names the connection for resuming it, or null: the opener does not resume
     */
    public record ConnectRequest(SocketName target, int socketType, int uid, int gid, int pid, ResumeToken token) {
        public ConnectRequest(SocketName target, int socketType, int uid, int gid, int pid) {
            this(target, socketType, uid, gid, pid, null);
        }
    }

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
        if (request.token() != null) {
            request.token().writeTo(header); // after the first version's fields, which it reads alone
        }
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
        int uid = header.readInt();
        int gid = header.readInt();
        int pid = header.readInt();
        ResumeToken token = header.readableBytes() >= ResumeToken.BYTES ? ResumeToken.readFrom(header) : null;
        return new ConnectRequest(new SocketName(name, isAbstract), type, uid, gid, pid, token);
    }

    private IpcWire() {}
}
