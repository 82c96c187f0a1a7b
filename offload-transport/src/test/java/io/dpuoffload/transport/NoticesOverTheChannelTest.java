package io.dpuoffload.transport;

import static io.dpuoffload.transport.Harness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Notices between real peers, over TCP+mTLS and a Unix socket: delivered, in order, answered by nothing. */
class NoticesOverTheChannelTest {
    private static final int NOTED = 20;
    private static final int READ_NOTES = 21;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final List<String> notes = new CopyOnWriteArrayList<>();

    private Services hostServices() {
        return Services.builder()
                .onRequestAsync(NOTED, (context, body) -> {
                    notes.add(body.toString(java.nio.charset.StandardCharsets.UTF_8));
                    return CompletableFuture.completedFuture(text("an answer nobody reads"));
                })
                .onRequestAsync(
                        READ_NOTES, (context, body) -> CompletableFuture.completedFuture(text(String.join(",", notes))))
                .build();
    }

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void noticesReachTheHandlerInOrderWithTheRequestAfterThemAndGetNoAnswer(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadServer server = harness.startHost(
                    harness.hostConfig().services(hostServices()).build(), harness.listenEndpoint());
            OffloadConnection connection =
                    harness.connect(server, harness.dpuConfig().build());
            assertThat(connection.offers(Feature.NOTICES)).isTrue();
            double hostFramesBefore = hostFramesOut(harness);

            for (int i = 0; i < 100; i++) {
                connection.notice(NOTED, text("n" + i), TIMEOUT);
            }
            String seen = text(connection.request(READ_NOTES, text("")).get());

            assertThat(seen.split(",")).hasSize(100).startsWith("n0", "n1").endsWith("n99");
            // The host sent one frame since, the answer to READ_NOTES (and perhaps a PING): none for a notice.
            assertThat(hostFramesOut(harness) - hostFramesBefore).isBetween(1.0, 2.0);
            assertThat(harness.meters
                            .get("dpuoffload.transport.notices")
                            .tags("role", "server", "direction", "in")
                            .counter()
                            .count())
                    .isEqualTo(100);
            assertThat(server.metrics().servedForPeers())
                    .as("what the host served for its peer, as its agent reports it: the notices and the request")
                    .isEqualTo(101);
        }
    }

    private static double hostFramesOut(Harness harness) {
        return harness.meters
                .get("dpuoffload.transport.frames")
                .tags("role", "server", "direction", "out")
                .counter()
                .count();
    }

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void aNoticeAloneArrivesWithinTheBound(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadServer server = harness.startHost(
                    harness.hostConfig().services(hostServices()).build(), harness.listenEndpoint());
            OffloadConnection connection =
                    harness.connect(server, harness.dpuConfig().build());
            connection.notice(NOTED, text("alone"), TIMEOUT).get();
            // The bound is the sender's; the rest is the loopback and a busy test machine.
            await().atMost(Duration.ofSeconds(2)).until(() -> notes.contains("alone"));
        }
    }

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void aNoticeOnALostConnectionFailsAtOnce(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadServer server = harness.startHost(
                    harness.hostConfig().services(hostServices()).build(), harness.listenEndpoint());
            OffloadConnection connection =
                    harness.connect(server, harness.dpuConfig().build());
            server.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> !connection.isOpen());
            CompletableFuture<Void> sent = connection.notice(NOTED, text("too late"), TIMEOUT);
            assertThat(sent)
                    .failsWithin(Duration.ofSeconds(1))
                    .withThrowableThat()
                    .withCauseInstanceOf(ConnectionLostException.class);
        }
    }
}
