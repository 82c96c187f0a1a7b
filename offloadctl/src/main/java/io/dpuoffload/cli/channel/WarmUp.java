package io.dpuoffload.cli.channel;

import io.dpuoffload.transport.OffloadConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Unmeasured load before a measurement. Until the JIT has compiled the hot paths of both JVMs (TLS above all), a
 * round trip costs several times its steady-state time and a stream moves a fraction of its steady-state rate.
 * Half the time goes to round trips, half to streaming.
 */
public final class WarmUp {

    /** Round trips between looks at the clock: a few milliseconds' worth. */
    static final int ECHO_BATCH = 100;

    /** One warm-up stream: small enough to end near the time asked for, big enough to reach full speed. */
    static final long STREAM_BYTES = 16 * ByteSize.MIB;

    /** A batch that starts just before the end may run past it; this bounds how far. */
    private static final Duration OVERRUN = Duration.ofMinutes(1);

    /** What the warm-up did, for the record. */
    public record Done(long roundTrips, long bytes) {
        public String describe() {
            return String.format("%,d round trips and %s streamed", roundTrips, ByteSize.format(bytes));
        }
    }

    private WarmUp() {}

    public static Done channel(OffloadConnection connection, Duration time) throws InterruptedException {
        Deadline deadline = Deadline.in("the warm-up", time.plus(OVERRUN));
        long start = System.nanoTime();
        long roundTrips = 0;
        long bytes = 0;
        while (elapsed(start) < time.toNanos() / 2) {
            ChannelLoad.echo(connection, ECHO_BATCH, ProbeCommand.ECHO_BYTES, deadline);
            roundTrips += ECHO_BATCH;
        }
        while (elapsed(start) < time.toNanos()) {
            ChannelLoad.toSink(connection, STREAM_BYTES, deadline);
            bytes += STREAM_BYTES;
        }
        return new Done(roundTrips, bytes);
    }

    public static Done tcp(InetSocketAddress baseline, Duration time) throws IOException {
        Deadline deadline = Deadline.in("the TCP warm-up", time.plus(OVERRUN));
        long start = System.nanoTime();
        long roundTrips = 0;
        long bytes = 0;
        while (elapsed(start) < time.toNanos() / 2) {
            BaselineClient.echo(baseline, ECHO_BATCH, ProbeCommand.ECHO_BYTES, deadline);
            roundTrips += ECHO_BATCH;
        }
        while (elapsed(start) < time.toNanos()) {
            BaselineClient.toSink(baseline, STREAM_BYTES, deadline);
            bytes += STREAM_BYTES;
        }
        return new Done(roundTrips, bytes);
    }

    private static long elapsed(long start) {
        return System.nanoTime() - start;
    }
}
