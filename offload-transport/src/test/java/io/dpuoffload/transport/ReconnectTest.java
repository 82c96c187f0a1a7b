package io.dpuoffload.transport;

import static io.dpuoffload.transport.Harness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.transport.diagnostics.Diagnostics;
import io.dpuoffload.transport.net.Endpoint;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The client's side of a host going away and coming back. */
class ReconnectTest {

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void inFlightRequestsFailAtOnceAndTheClientReconnectsWhenTheHostReturns(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadServer first = harness.startHost();
            Endpoint endpoint = first.boundEndpoint();
            OffloadClient client = harness.client(endpoint, harness.dpuConfig().build());
            assertThat(text(client.request(Diagnostics.ECHO, text("before")).get()))
                    .isEqualTo("before");
            var inFlight = client.request(Harness.HANG, text("wait"), Duration.ofSeconds(30));
            await().until(() -> !harness.hanging.isEmpty());
            long stop = System.nanoTime();

            first.close();

            assertThatThrownBy(inFlight::get)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ConnectionLostException.class)
                    .hasMessageContaining("lost");
            assertThat(Duration.ofNanos(System.nanoTime() - stop)).isLessThan(Duration.ofSeconds(3));

            harness.startHost(harness.hostConfig().build(), endpoint);
            await().atMost(Duration.ofSeconds(10)).until(client::isConnected);
            assertThat(text(client.request(Diagnostics.ECHO, text("after")).get()))
                    .isEqualTo("after");
            assertThat(harness.meter("dpuoffload.transport.reconnects", "client"))
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void requestsWhileNoHostIsUpFailAtTheirDeadlineWithTheReason(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadServer server = harness.startHost();
            Endpoint endpoint = server.boundEndpoint();
            server.close();
            OffloadClient client = harness.client(endpoint, harness.dpuConfig().build());
            long start = System.nanoTime();

            var answer = client.request(Diagnostics.ECHO, text("anyone?"), Duration.ofMillis(500));

            assertThatThrownBy(answer::get)
                    .cause()
                    .isInstanceOf(DeadlineExceededException.class)
                    .hasMessageContaining("not connected to " + endpoint + " within 500 ms")
                    .hasMessageContaining("cannot connect");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

            harness.startHost(harness.hostConfig().build(), endpoint);
            assertThat(text(client.request(Diagnostics.ECHO, text("later"), Duration.ofSeconds(10))
                            .get()))
                    .as("a timed-out wait must not spoil the next connection")
                    .isEqualTo("later");
        }
    }

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void requestsSentDuringAShortOutageSucceedOnceReconnected(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadServer first = harness.startHost();
            Endpoint endpoint = first.boundEndpoint();
            OffloadClient client = harness.client(endpoint, harness.dpuConfig().build());
            client.connection(Duration.ofSeconds(5));
            first.close();
            await().until(() -> !client.isConnected());

            var answer = client.request(Diagnostics.ECHO, text("patient"), Duration.ofSeconds(10));
            Thread.sleep(300);
            harness.startHost(harness.hostConfig().build(), endpoint);

            assertThat(text(answer.get())).isEqualTo("patient");
        }
    }

    /**
     * A client told the host is back (another connection to it just came up) connects at once,
     * not at the end of its backoff: a DPU agent's shares each have a connection of their own.
     */
    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void aClientToldTheHostIsBackConnectsWithoutWaitingOutItsBackoff(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadServer server = harness.startHost();
            Endpoint endpoint = server.boundEndpoint();
            server.close();
            Backoff patient = new Backoff(Duration.ofSeconds(60), Duration.ofSeconds(60));
            OffloadClient client = harness.client(
                    endpoint, harness.dpuConfig().reconnect(patient).build());
            // Its first attempt failed; the next waits a random time of up to a minute.
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try {
                    client.connection(Duration.ofMillis(50));
                    return false;
                } catch (TransportException e) {
                    return e.getMessage().contains("cannot connect");
                }
            });
            harness.startHost(harness.hostConfig().build(), endpoint);

            client.reconnectNow();

            await().atMost(Duration.ofSeconds(3)).until(client::isConnected);
            client.reconnectNow(); // connected: nothing happens
            assertThat(text(client.request(Diagnostics.ECHO, text("back")).get()))
                    .isEqualTo("back");
        }
    }
}
