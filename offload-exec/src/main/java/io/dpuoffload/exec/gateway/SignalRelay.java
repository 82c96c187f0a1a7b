package io.dpuoffload.exec.gateway;

import io.dpuoffload.exec.client.RemoteRun;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Poll;
import io.dpuoffload.linux.Terminals;
import io.dpuoffload.linux.UnixSockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signals a rexec client forwards (4-byte numbers) on their way to its run on the host.
 *
 * <p>A durable run whose host connection is lost keeps its signals: {@link #hostLost} shuts the
 * client's sending side, so rexec holds what comes next until a gateway has the run again, and each
 * signal already read here but not sent goes back to rexec as {@link #HELD}. Only a signal in flight
 * on the link at the moment it dies can be lost with it.
 */
final class SignalRelay {
    private static final Logger log = LoggerFactory.getLogger(SignalRelay.class);

    /** A signal the host did not get: rexec sends it again through the next gateway. Then its number. */
    static final byte HELD = 3;

    private static final int SIGWINCH = 28;

    /** A write to a live connection completes at once; one that cannot complete goes with the link. */
    private static final Duration SEND_BOUND = Duration.ofSeconds(2);

    private final int client;
    private final int cancel;
    private final RemoteRun run;
    private final int terminal;
    private final String who;
    private final BooleanSupplier finished;
    private final Consumer<byte[]> toClient;
    private volatile boolean lost;

    /**
     * @param terminal the client's terminal, or -1: with one, SIGWINCH becomes a resize of the run's pty
     * @param finished whether the run's end is known (the client then leaves without a cancel)
     * @param toClient sends a message to the client, whole
     */
    SignalRelay(
            int client,
            int cancel,
            RemoteRun run,
            int terminal,
            String who,
            BooleanSupplier finished,
            Consumer<byte[]> toClient) {
        this.client = client;
        this.cancel = cancel;
        this.run = run;
        this.terminal = terminal;
        this.who = who;
        this.finished = finished;
        this.toClient = toClient;
    }

    /**
     * The host connection of a durable run is gone: from now on rexec's sends fail (it holds the
     * signals), and what it sent before goes back to it.
     */
    void hostLost() {
        lost = true;
        try {
            UnixSockets.shutdown(client, UnixSockets.SHUT_RD); // the peer's sends now fail with EPIPE
        } catch (ErrnoException e) {
            log.warn("exec gateway: {}: cannot stop its signals: {}", who, e.getMessage());
        }
    }

    /** Relays until the client goes away, the run ends ({@code cancel} is signalled) or the host is lost. */
    void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4);
            long have = 0;
            while (true) {
                short[] got = new short[2];
                Poll.poll(new int[] {client, cancel}, new short[] {Poll.POLLIN, Poll.POLLIN}, got, -1);
                if (got[1] != 0 && !lost) {
                    return; // the run ended
                }
                // lost: drain what the client sent before its sends began to fail, without waiting
                long n = UnixSockets.recv(client, buffer.asSlice(have), 4 - have, lost ? UnixSockets.MSG_DONTWAIT : 0);
                if (n == -Errno.EAGAIN && lost) {
                    return;
                }
                if (n == -Errno.EAGAIN) {
                    continue;
                }
                if (n <= 0 && (finished.getAsBoolean() || lost)) {
                    return; // the client read its answer and left, or holds its signals now
                }
                if (n <= 0) {
                    log.info("exec gateway: {} went away; cancelling its run on the host", who);
                    run.cancel("the rexec client went away");
                    return;
                }
                have += n;
                if (have == 4) {
                    deliver(buffer.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0));
                    have = 0;
                }
            }
        } catch (ErrnoException | RuntimeException e) {
            log.warn("exec gateway: {}: signal relay failed: {}", who, e.getMessage());
        }
    }

    private void deliver(int signal) throws ErrnoException {
        if (signal == SIGWINCH && terminal >= 0) {
            // the program has a pty of its own: resizing it signals its foreground itself
            Terminals.WindowSize size = Terminals.windowSize(terminal);
            run.resize(size.rows(), size.columns());
            return;
        }
        if (lost || !sent(signal)) {
            toClient.accept(ByteBuffer.allocate(5).put(HELD).putInt(signal).array());
        }
    }

    private boolean sent(int signal) {
        try {
            run.signal(signal).get(SEND_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            log.info("exec gateway: {}: signal {} did not reach the host; rexec holds it", who, signal);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
