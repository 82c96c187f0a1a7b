package io.dpuoffload.exec.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bytes rexec.c sends, decoded; and shims written from the binary this build carries. */
class GatewayRequestTest {
    @TempDir
    Path work;

    private static void put(ByteBuffer out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.putInt(bytes.length).put(bytes);
    }

    @Test
    void decodesWhatRexecSends() {
        ByteBuffer body = ByteBuffer.allocate(256);
        body.put("DPUX".getBytes(StandardCharsets.US_ASCII))
                .put((byte) GatewayRequest.VERSION)
                .putInt(3);
        put(body, "/bin/sh");
        body.putInt(2);
        put(body, "sh");
        put(body, "-c");
        body.putInt(1);
        put(body, "HOME=/root");
        put(body, "/tmp");
        body.putInt(022);
        body.flip();
        GatewayRequest request = GatewayRequest.decode(body);
        assertThat(request.clientSocketFd()).isEqualTo(3);
        assertThat(request.exec().programName()).isEqualTo("/bin/sh");
        assertThat(request.exec().argv()).extracting(String::new).containsExactly("sh", "-c");
        assertThat(request.exec().environment()).extracting(String::new).containsExactly("HOME=/root");
        assertThat(new String(request.exec().cwd(), StandardCharsets.UTF_8)).isEqualTo("/tmp");
        assertThat(request.exec().umask()).isEqualTo(022);
    }

    @Test
    void refusesAnotherProtocolOrVersionOrATruncatedRequest() {
        assertThatThrownBy(() -> GatewayRequest.decode(ByteBuffer.wrap("HTTP/1.1".getBytes(StandardCharsets.US_ASCII))))
                .hasMessageContaining("not a rexec client");
        ByteBuffer future = ByteBuffer.allocate(5)
                .put("DPUX".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 9)
                .flip();
        assertThatThrownBy(() -> GatewayRequest.decode(future)).hasMessageContaining("version 9");
        ByteBuffer cut = ByteBuffer.allocate(9)
                .put("DPUX".getBytes(StandardCharsets.US_ASCII))
                .put((byte) GatewayRequest.VERSION)
                .putInt(3)
                .flip();
        assertThatThrownBy(() -> GatewayRequest.decode(cut)).hasMessageContaining("truncated");
    }

    @Test
    void aShimCarriesItsProgramAndIsExecutable() throws Exception {
        Path shim = work.resolve("root/usr/bin/qemu-system-x86_64");
        RexecBinary.writeShim(shim, "/usr/bin/qemu-system-x86_64");
        assertThat(Files.isExecutable(shim)).isTrue();
        assertThat(RexecBinary.shimProgram(shim)).contains("/usr/bin/qemu-system-x86_64");
        Path client = work.resolve("rexec");
        RexecBinary.writeClient(client);
        assertThat(RexecBinary.shimProgram(client)).isEmpty();
        assertThatThrownBy(() -> RexecBinary.writeShim(shim, "qemu")).hasMessageContaining("absolute path");
    }
}
