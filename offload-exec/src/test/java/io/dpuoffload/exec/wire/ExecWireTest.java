package io.dpuoffload.exec.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.ipc.wire.PassedFds;
import io.dpuoffload.linux.Terminals;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecWireTest {
    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRequestRoundTripsWithItsExactBytesDescriptorsAndTerminal() {
        ExecRequest request = new ExecRequest(
                        bytes("/usr/bin/qemu-system-x86_64"),
                        List.of(bytes("qemu"), new byte[] {(byte) 0xff, (byte) 0xfe}, new byte[0]),
                        List.of(bytes("A=1"), new byte[] {'B', '=', (byte) 0xc3}),
                        bytes("/var/lib/libvirt"),
                        027)
                .withInherited(List.of(
                        new ExecRequest.Inherited(3, new PassedFds.File("/var/log/x", 01, 42)),
                        new ExecRequest.Inherited(
                                7, new PassedFds.Listener(1, true, Long.MIN_VALUE | 9, "/var/lib/libvirt/m.sock"))))
                .withTerminal(new Terminals.WindowSize(40, 100))
                .asDurable();
        ByteBuf encoded = request.encode(ByteBufAllocator.DEFAULT);
        try {
            ExecRequest decoded = ExecRequest.decode(encoded);
            assertThat(decoded.program()).isEqualTo(request.program());
            assertThat(decoded.argv()).containsExactlyElementsOf(request.argv());
            assertThat(decoded.environment()).containsExactlyElementsOf(request.environment());
            assertThat(decoded.cwd()).isEqualTo(request.cwd());
            assertThat(decoded.umask()).isEqualTo(027);
            assertThat(decoded.inherited()).isEqualTo(request.inherited());
            assertThat(decoded.terminal()).isEqualTo(new Terminals.WindowSize(40, 100));
            assertThat(decoded.durable()).isTrue();
        } finally {
            encoded.release();
        }
    }

    @Test
    void aTruncatedRequestIsRefusedByName() {
        ByteBuf encoded = new ExecRequest(bytes("/bin/true"), List.of(bytes("true")), List.of(), bytes("/"), 022)
                .encode(ByteBufAllocator.DEFAULT);
        try {
            ByteBuf half = encoded.slice(0, encoded.readableBytes() / 2);
            assertThatThrownBy(() -> ExecRequest.decode(half))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("request");
        } finally {
            encoded.release();
        }
    }

    @Test
    void theEnvironmentFilterDropsByNameOnly() {
        ExecRequest request = new ExecRequest(
                bytes("/bin/true"),
                List.of(),
                List.of(bytes("SSH_AUTH_SOCK=/x"), bytes("SSH_AUTH_SOCK_2=/y"), bytes("PATH=/bin"), bytes("EMPTY")),
                bytes("/"),
                022);
        assertThat(request.withoutEnvironment(List.of("SSH_AUTH_SOCK", "EMPTY")).environment())
                .extracting(String::new)
                .containsExactly("SSH_AUTH_SOCK_2=/y", "PATH=/bin");
    }

    @Test
    void pidCallsAndTheirResultsRoundTrip() {
        PidCall call = new PidCall(PidCall.SET_AFFINITY, 4242, 0, 0, new byte[] {1, 0, 0, 0});
        ByteBuf encoded = call.encode(ByteBufAllocator.DEFAULT);
        PidCall decoded = PidCall.decode(encoded);
        encoded.release();
        assertThat(decoded.op()).isEqualTo(PidCall.SET_AFFINITY);
        assertThat(decoded.pid()).isEqualTo(4242);
        assertThat(decoded.mask()).containsExactly(1, 0, 0, 0);

        ByteBuf result = new PidCall.Result(8, new byte[] {3, 0, 0, 0, 0, 0, 0, 0}).encode(ByteBufAllocator.DEFAULT);
        PidCall.Result back = PidCall.Result.decode(result);
        result.release();
        assertThat(back.value()).isEqualTo(8);
        assertThat(back.mask()).hasSize(8);
    }

    @Test
    void anUnknownPidCallOrAnOversizedMaskIsRefused() {
        ByteBuf unknown = ByteBufAllocator.DEFAULT
                .buffer()
                .writeInt(99)
                .writeInt(1)
                .writeInt(0)
                .writeInt(0)
                .writeInt(0);
        assertThatThrownBy(() -> PidCall.decode(unknown)).hasMessageContaining("unknown pid call 99");
        unknown.release();
        ByteBuf huge = ByteBufAllocator.DEFAULT
                .buffer()
                .writeInt(PidCall.SET_AFFINITY)
                .writeInt(1)
                .writeInt(0)
                .writeInt(0)
                .writeInt(1 << 20);
        assertThatThrownBy(() -> PidCall.decode(huge)).hasMessageContaining("CPU mask");
        huge.release();
    }
}
