package io.dpuoffload.cli.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The plain TCP baseline, server and client, on loopback. */
class BaselineTest {

    private static final Duration PHASE = Duration.ofSeconds(30);

    @Test
    void echoesEveryMessageAndCountsWhatItSinks() throws Exception {
        try (BaselineServer server = BaselineServer.start(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress address = server.address();

            long[] roundTrips = BaselineClient.echo(address, 200, 64, Deadline.in("echo", PHASE));
            Throughput one = BaselineClient.toSink(address, 3 * ByteSize.MIB + 5, Deadline.in("sink", PHASE));
            Throughput three =
                    BaselineClient.toSinkInParallel(address, 7 * ByteSize.MIB + 2, 3, Deadline.in("sinks", PHASE));

            assertThat(roundTrips).hasSize(200);
            assertThat(java.util.Arrays.stream(roundTrips).min().orElseThrow()).isPositive();
            assertThat(one.bytes()).isEqualTo(3 * ByteSize.MIB + 5);
            assertThat(three.bytes()).isEqualTo(7 * ByteSize.MIB + 2);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(server.bytesReceived())
                    .isEqualTo(200 * 64 + 3 * ByteSize.MIB + 5 + 7 * ByteSize.MIB + 2));
            assertThat(server.connections()).isEqualTo(5);
        }
    }

    @Test
    void anUnknownModeClosesTheConnection() throws Exception {
        try (BaselineServer server = BaselineServer.start(new InetSocketAddress("127.0.0.1", 0));
                Socket socket = new Socket()) {
            socket.connect(server.address(), 5_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write('X');

            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void nobodyListeningIsAClearError() throws IOException {
        // A bound socket that never listens holds its port: connecting gets ECONNREFUSED, and no
        // other process can take the port meanwhile (a closed server's port could be reused).
        try (java.net.Socket reserved = new java.net.Socket()) {
            reserved.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress closed = (InetSocketAddress) reserved.getLocalSocketAddress();

            assertThatThrownBy(() -> BaselineClient.echo(closed, 1, 64, Deadline.in("echo", PHASE)))
                    .hasMessageContaining("cannot connect to the plain TCP baseline at");
        }
    }

    @Test
    void sharesSplitTheTotalWithTheRemainderFirst() {
        assertThat(ChannelLoad.shares(10, 3)).containsExactly(4, 3, 3);
        assertThat(ChannelLoad.shares(ByteSize.GIB, 1)).containsExactly(ByteSize.GIB);
    }
}
