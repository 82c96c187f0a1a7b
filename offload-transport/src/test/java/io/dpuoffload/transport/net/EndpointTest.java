package io.dpuoffload.transport.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.VSockAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {

    @Test
    void tcpWithAndWithoutScheme() {
        assertThat(Endpoint.parse("tcp://198.51.100.1:7000")).isEqualTo(new Endpoint.Tcp("198.51.100.1", 7000));
        assertThat(Endpoint.parse("host-1:7000")).isEqualTo(new Endpoint.Tcp("host-1", 7000));
        assertThat(Endpoint.parse("[::1]:7000")).isEqualTo(new Endpoint.Tcp("::1", 7000));
        assertThat(Endpoint.parse("[::1]:7000")).hasToString("tcp://[::1]:7000");
    }

    @Test
    void unixPaths() {
        assertThat(Endpoint.parse("unix:/run/dpu-offload/channel.sock"))
                .isEqualTo(new Endpoint.Unix(Path.of("/run/dpu-offload/channel.sock")));
        assertThat(Endpoint.parse("unix:///run/x.sock")).isEqualTo(new Endpoint.Unix(Path.of("/run/x.sock")));
    }

    @Test
    void vsockWithNamedAndNumericCids() {
        assertThat(Endpoint.parse("vsock://host:9000"))
                .isEqualTo(new Endpoint.Vsock(VSockAddress.VMADDR_CID_HOST, 9000));
        assertThat(Endpoint.parse("vsock://any:9000")).isEqualTo(new Endpoint.Vsock(VSockAddress.VMADDR_CID_ANY, 9000));
        assertThat(Endpoint.parse("vsock://42:9000")).isEqualTo(new Endpoint.Vsock(42, 9000));
        assertThat(Endpoint.parse("vsock://4294967295:1")).hasToString("vsock://4294967295:1");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|empty endpoint",
                "http://x:1|unknown scheme",
                "unix:relative.sock|needs an absolute path",
                "host-1|has no HOST:PORT",
                "host-1:http|is not a number",
                "host-1:70000|outside 0..65535",
                "vsock://guest:1|is not a number",
                "vsock://2:-1|outside"
            })
    void badEndpointsNameTheProblemAndTheAcceptedForms(String text, String problem) {
        assertThatThrownBy(() -> Endpoint.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem);
    }
}
