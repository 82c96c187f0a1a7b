package io.dpuoffload.topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The output of one node process, kept in memory as lines and bounded: when it grows past
 * {@link #MAX_RETAINED_CHARS}, the oldest lines are dropped (and counted). Each line is also handed to a sink (the
 * log) as it arrives.
 */
final class OutputBuffer {

    /** Enough for any daemon's start-up and a test's worth of logs; bounded so a chatty process cannot fill the heap. */
    static final int MAX_RETAINED_CHARS = 1 << 20;

    /** A "line" longer than this (binary output, progress bars) is split, so one line cannot exhaust memory either. */
    static final int MAX_LINE_BYTES = 16 * 1024;

    /** How many of the last lines an error message quotes. */
    static final int TAIL_LINES = 80;

    enum Channel {
        STDOUT,
        STDERR
    }

    record Line(Channel channel, String text) {}

    private final Consumer<Line> sink;
    private final ArrayDeque<Line> lines = new ArrayDeque<>();
    private long retainedChars;
    private long droppedLines;
    private int openChannels = Channel.values().length;

    OutputBuffer(Consumer<Line> sink) {
        this.sink = sink;
    }

    /** Reads {@code in} to its end, line by line; returns when the stream ends or fails (both count as the end). */
    void pump(InputStream in, Channel channel) {
        try (in) {
            byte[] chunk = new byte[8192];
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int n; (n = in.read(chunk)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n') {
                        add(channel, line);
                    } else {
                        line.write(chunk[i]);
                        if (line.size() >= MAX_LINE_BYTES) {
                            add(channel, line);
                        }
                    }
                }
            }
            if (line.size() > 0) {
                add(channel, line);
            }
        } catch (IOException e) {
            // The process's end closed the pipe under us; what was read is kept.
        } finally {
            endOf(channel);
        }
    }

    private void add(Channel channel, ByteArrayOutputStream bytes) {
        Line line = new Line(channel, bytes.toString(StandardCharsets.UTF_8));
        bytes.reset();
        synchronized (this) {
            lines.addLast(line);
            retainedChars += line.text().length();
            while (retainedChars > MAX_RETAINED_CHARS && lines.size() > 1) {
                retainedChars -= lines.removeFirst().text().length();
                droppedLines++;
            }
            notifyAll();
        }
        sink.accept(line);
    }

    private synchronized void endOf(Channel channel) {
        openChannels--;
        notifyAll();
    }

    /** True once both stdout and stderr have ended. */
    synchronized boolean ended() {
        return openChannels <= 0;
    }

    /** Waits until both streams have ended, at most {@code timeout}; true if they did. */
    synchronized boolean awaitEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (openChannels > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /**
     * The first retained line (stdout or stderr) in which {@code pattern} is found, waiting for it at most {@code
     * timeout}; empty on timeout or when both streams end without one.
     */
    synchronized Optional<String> awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long scanned = droppedLines; // absolute index of the next line to look at
        while (true) {
            long index = droppedLines;
            for (Line line : lines) {
                if (index++ >= scanned && pattern.matcher(line.text()).find()) {
                    return Optional.of(line.text());
                }
            }
            scanned = index;
            long left = deadline - System.nanoTime();
            if (openChannels <= 0 || left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized String text(Channel channel) {
        StringBuilder text = new StringBuilder();
        for (Line line : lines) {
            if (line.channel() == channel) {
                text.append(line.text()).append('\n');
            }
        }
        return text.toString();
    }

    synchronized long droppedLines() {
        return droppedLines;
    }

    /** The last lines of both streams, interleaved as they arrived, for error messages. */
    synchronized String tail() {
        List<Line> all = List.copyOf(lines);
        List<Line> last = all.subList(Math.max(0, all.size() - TAIL_LINES), all.size());
        StringBuilder text = new StringBuilder();
        long omitted = droppedLines + all.size() - last.size();
        if (omitted > 0) {
            text.append("  (").append(omitted).append(" earlier lines not shown)\n");
        }
        if (last.isEmpty()) {
            text.append("  (no output)\n");
        }
        for (Line line : last) {
            text.append(line.channel() == Channel.STDOUT ? "  out| " : "  err| ")
                    .append(line.text())
                    .append('\n');
        }
        return text.toString();
    }
}
