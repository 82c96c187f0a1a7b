package io.dpuoffload.ipc.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

class IpcWireTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void aConnectHeaderCarriesTheResumeTokenAfterTheFirstVersionsFields() {
        ResumeToken token = ResumeToken.random();
        ByteBuf header = IpcWire.connectHeader(
                ALLOC,
                new IpcWire.ConnectRequest(SocketName.path("/run/x.sock"), UnixSockets.SOCK_STREAM, 1, 2, 3, token));
        try {
            IpcWire.ConnectRequest read = IpcWire.readConnectHeader(header.duplicate());
            assertThat(read.token()).isEqualTo(token);
            assertThat(read.target()).isEqualTo(SocketName.path("/run/x.sock"));
            assertThat(read.pid()).isEqualTo(3);
        } finally {
            header.release();
        }
    }

    @Test
    void aPassedTapTravelsWithItsNameFlagsAndSettingsBesideTheOtherKinds() {
        var fds = java.util.List.<PassedFds.PassedFd>of(
                new PassedFds.File("/var/lib/libvirt/images/a.qcow2", 2, 4096),
                new PassedFds.Tap("vnet0", 0x5002, "fe:54:00:d9:00:01", 1500, true, "br0"),
                new PassedFds.Tap("tun7", 0x1001, "", 9000, false, ""),
                new PassedFds.Device("/dev/vhost-net", 2),
                new PassedFds.Socket(UnixSockets.SOCK_STREAM, 77));
        ByteBuf payload = ALLOC.buffer();
        try {
            PassedFds.write(payload, fds);
            assertThat(PassedFds.read(payload)).isEqualTo(fds);
            assertThat(payload.readableBytes()).isZero();
        } finally {
            payload.release();
        }
    }

    @Test
    void aConnectHeaderWithoutATokenIsTheFirstVersionsAndResumesNothing() {
        ByteBuf header = IpcWire.connectHeader(
                ALLOC, new IpcWire.ConnectRequest(SocketName.path("/run/x.sock"), UnixSockets.SOCK_SEQPACKET, 0, 0, 0));
        try {
            assertThat(header.readableBytes()).isEqualTo(5 + "/run/x.sock".length() + 12);
            assertThat(IpcWire.readConnectHeader(header.duplicate()).token()).isNull();
        } finally {
            header.release();
        }
    }

    @Test
    void aResumableStatusStillStartsWithTheErrnoAFirstVersionPeerReads() {
        ByteBuf status = Records.resumableStatus(ALLOC, 0, 42);
        try {
            assertThat((int) status.readUnsignedByte()).isEqualTo(Records.STATUS);
            ByteBuf payload = status.readSlice(status.readInt());
            assertThat(Records.isResumable(payload)).isTrue();
            assertThat(payload.readInt()).isZero();
            assertThat(payload.readLong()).isEqualTo(42);
        } finally {
            status.release();
        }
        ByteBuf plain = Records.status(ALLOC, 2);
        try {
            assertThat(Records.isResumable(plain.skipBytes(Records.HEADER_BYTES)))
                    .isFalse();
        } finally {
            plain.release();
        }
    }

    @Test
    void resumeHeadersAndAcknowledgementsReadBackAsWritten() {
        ResumeToken token = ResumeToken.random();
        ByteBuf header = IpcWire.resumeHeader(ALLOC, token, 7);
        ByteBuf ack = IpcWire.ackBody(ALLOC, token, 9);
        try {
            assertThat(IpcWire.readResumeHeader(header)).isEqualTo(new IpcWire.Resume(token, 7));
            assertThat(IpcWire.readAckBody(ack)).isEqualTo(new IpcWire.Resume(token, 9));
        } finally {
            header.release();
            ack.release();
        }
    }
}
