package io.dpuoffload.ipc.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class OutboxTest {
    private static ByteBuf record(int value) {
        return Unpooled.buffer(1).writeByte(value);
    }

    @Test
    void aRecordIsKeptUntilTheCountCoversIt() {
        Outbox outbox = new Outbox();
        ByteBuf first = record(1);
        CompletableFuture<Void> one = outbox.keep(first);
        CompletableFuture<Void> two = outbox.keep(record(2));
        assertThat(outbox.sent()).isEqualTo(2);

        outbox.acknowledged(1);
        assertThat(one).isCompleted();
        assertThat(first.refCnt()).as("let go once acknowledged").isZero();
        assertThat(two).isNotCompleted();
        assertThat(outbox.unacknowledged()).isEqualTo(1);

        outbox.acknowledged(0); // an older count, come the long way
        assertThat(outbox.unacknowledged()).isEqualTo(1);
    }

    @Test
    void aResumeCountBelowWhatWasAcknowledgedOrAboveWhatWasSentIsImpossible() {
        Outbox outbox = new Outbox();
        for (int i = 0; i < 5; i++) {
            outbox.keep(record(i));
        }
        outbox.acknowledged(2);
        assertThat(outbox.possible(1)).isFalse();
        assertThat(outbox.possible(2)).isTrue();
        assertThat(outbox.possible(5)).isTrue();
        assertThat(outbox.possible(6)).isFalse();
    }

    @Test
    void theEndIsAcknowledgedWithTheRecordsBeforeIt() {
        Outbox outbox = new Outbox();
        outbox.keep(record(1));
        outbox.endNext();
        outbox.keep(record(0));
        assertThat(outbox.endSent()).isTrue();
        outbox.acknowledged(1);
        assertThat(outbox.endAcknowledged()).isNotCompleted();
        outbox.acknowledged(2);
        assertThat(outbox.endAcknowledged()).isCompleted();
    }
}
