package io.dpuoffload.agent.dpu;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A daemon's process as the test scripts it: it ends when the test says (or on a signal, as a real
 * one would: SIGTERM's 143 unless it ignores SIGTERM, SIGKILL's 137), listens at a socket while it
 * runs if told to, and records the signals it got and how long the supervisor waited for its end.
 * A wait with a timeout returns at once: the time passes without being waited for.
 */
final class FakeProcess extends Process {
    static final int SIGTERM_EXIT = 128 + 15;
    static final int SIGKILL_EXIT = 128 + 9;
    private static final AtomicLong PIDS = new AtomicLong(40_000);

    private final long pid = PIDS.incrementAndGet();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    /** "TERM", "KILL", in the order sent. */
    final List<String> signals = new CopyOnWriteArrayList<>();
    /** Each timed wait for its end, as asked for. */
    final List<Duration> timedWaits = new CopyOnWriteArrayList<>();

    private volatile Path listening;
    /** Its exit status on SIGTERM; null: it ignores SIGTERM (a shutdown that hangs). */
    private volatile Integer onTerm = SIGTERM_EXIT;
    /** Where every signal is written, with the daemon's name: the order across daemons. */
    private volatile List<String> events = new CopyOnWriteArrayList<>();

    private volatile String name = "?";
    /** What it printed (stdout and stderr, as the supervisor merges them). */
    private volatile byte[] output = new byte[0];

    static FakeProcess running() {
        return new FakeProcess();
    }

    static FakeProcess exited(int code) {
        FakeProcess process = new FakeProcess();
        process.exit(code);
        return process;
    }

    FakeProcess printing(String text) {
        output = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return this;
    }

    FakeProcess listeningAt(Path socket) {
        listening = socket;
        return this;
    }

    FakeProcess ignoringSigterm() {
        onTerm = null;
        return this;
    }

    FakeProcess exitingOnSigtermWith(int code) {
        onTerm = code;
        return this;
    }

    void named(String daemon, List<String> log) {
        name = daemon;
        events = log;
    }

    void exit(int code) {
        exit.complete(code);
    }

    boolean listensAt(Path socket) {
        return isAlive() && socket.equals(listening);
    }

    @Override
    public void destroy() {
        signals.add("TERM");
        events.add("TERM " + name);
        if (onTerm != null) {
            exit(onTerm);
        }
    }

    @Override
    public Process destroyForcibly() {
        signals.add("KILL");
        events.add("KILL " + name);
        exit(SIGKILL_EXIT);
        return this;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) {
        timedWaits.add(Duration.of(timeout, unit.toChronoUnit()));
        return exit.isDone();
    }

    @Override
    public int exitValue() {
        if (!exit.isDone()) {
            throw new IllegalThreadStateException("process hasn't exited");
        }
        return exit.join();
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return new java.io.ByteArrayInputStream(output);
    }

    @Override
    public InputStream getErrorStream() {
        return InputStream.nullInputStream();
    }
}
