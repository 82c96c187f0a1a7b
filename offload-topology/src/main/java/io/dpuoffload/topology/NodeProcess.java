package io.dpuoffload.topology;

import io.dpuoffload.topology.OutputBuffer.Channel;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command running on a node, in its own PID and mount namespaces. Its output is kept in memory (bounded) and logged
 * line by line as {@code [host] name#pid: line}.
 *
 * <p>The process tree is: launcher ({@code setpriv}, which execs {@code ip netns exec}, which execs {@code unshare};
 * the {@link Process} this class holds) → the command, init (pid 1) of a fresh PID namespace → whatever the command
 * starts. Killing the command kills everything in its PID namespace; killing the launcher kills the command ({@code
 * unshare --kill-child}); the JVM's death kills the launcher ({@code setpriv --pdeathsig KILL}).
 */
public final class NodeProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeProcess.class);

    /** How long {@code unshare} may take to fork the command; it takes milliseconds unless the machine is wedged. */
    private static final Duration OBSERVE_TIMEOUT = Duration.ofSeconds(10);

    /** After SIGKILL the kernel tears a PID namespace down at once; this bounds the wait for it. */
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    /** Output still in the pipes when the process ends is read within this. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private static final long POLL_MILLIS = 5;

    private final Node node;
    private final String name;
    private final List<String> command;
    private final Process launcher;
    private final Optional<ProcessHandle> init;
    private final Duration stopGrace;
    private final OutputBuffer output;

    NodeProcess(Node node, String name, List<String> command, Process launcher, Duration stopGrace) {
        this.node = node;
        this.name = name;
        this.command = List.copyOf(command);
        this.launcher = launcher;
        this.stopGrace = stopGrace;
        this.init = observeInit(launcher);
        String prefix = toString();
        this.output = new OutputBuffer(
                line -> log.info("{}{} {}", prefix, line.channel() == Channel.STDOUT ? ":" : "!", line.text()));
        log.info("{} started on {} (netns {}): {}", prefix, node.name(), node.namespace(), String.join(" ", command));
        // Platform threads: a blocking read of a process pipe holds a virtual thread's carrier, and a
        // few long-lived nodes would hold them all (then nothing else virtual runs, a stop included).
        Thread.ofPlatform()
                .daemon()
                .name("dpuo-out-" + name)
                .start(() -> output.pump(launcher.getInputStream(), Channel.STDOUT));
        Thread.ofPlatform()
                .daemon()
                .name("dpuo-err-" + name)
                .start(() -> output.pump(launcher.getErrorStream(), Channel.STDERR));
    }

    /** The launcher's only child is the command; wait until it exists, or the launcher has already finished. */
    private static Optional<ProcessHandle> observeInit(Process launcher) {
        long deadline = System.nanoTime() + OBSERVE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> child = launcher.children().findFirst();
            if (child.isPresent() || !launcher.isAlive()) {
                return child;
            }
            sleep(1);
        }
        return Optional.empty();
    }

    public Node node() {
        return node;
    }

    public List<String> command() {
        return command;
    }

    /**
     * The command's pid as this JVM sees it (inside its node it is pid 1). Throws if the command ended before its pid
     * could be seen, which only happens to commands that finish in a few milliseconds: use {@link Node#run} for those.
     */
    public long pid() {
        return init.orElseThrow(() ->
                        new IllegalStateException(this + " ended before its pid could be observed (" + state() + ")"))
                .pid();
    }

    /** The command and everything it started, as this JVM sees them. */
    public List<ProcessHandle> processes() {
        return init.map(h -> Stream.concat(Stream.of(h), h.descendants())
                        .filter(p -> !ProcFs.isGone(p))
                        .toList())
                .orElse(List.of());
    }

    /** The command's standard input. */
    public OutputStream stdin() {
        return launcher.getOutputStream();
    }

    public boolean isAlive() {
        return launcher.isAlive() || init.map(h -> !ProcFs.isGone(h)).orElse(false);
    }

    /** The exit code once ended (128 + signal number when a signal ended it). */
    public OptionalInt exitCode() {
        return isAlive() ? OptionalInt.empty() : OptionalInt.of(launcher.exitValue());
    }

    /** Retained standard output, one {@code \n}-terminated line per line printed. */
    public String stdout() {
        return output.text(Channel.STDOUT);
    }

    public String stderr() {
        return output.text(Channel.STDERR);
    }

    /**
     * Waits for a line on stdout or stderr in which {@code pattern} is found and returns it; lines printed before the
     * call count. Throws, with the output so far, on timeout or when the process ends without printing one.
     */
    public String awaitLine(Pattern pattern, Duration timeout) {
        try {
            return output.awaitLine(pattern, timeout).orElseThrow(() -> {
                if (output.ended()) {
                    awaitExit(DRAIN_TIMEOUT); // pipes close as the process exits; let its status arrive too
                } else {
                    printJavaThreads();
                }
                String what = output.ended()
                        ? " closed its output (" + state() + ") without printing a line matching /" + pattern + "/"
                        : " printed no line matching /" + pattern + "/ within " + timeout + " (" + state() + ")";
                return new TopologyException(this + what + "; output:\n" + output.tail());
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while waiting for " + this + " to print /" + pattern + "/", e);
        }
    }

    /**
     * Waits for the command to end and its output to be read; returns its exit code. Throws, with the output so far,
     * if it is still running after {@code timeout} (the process is left running: {@link #stop()} it).
     */
    public int waitFor(Duration timeout) {
        if (!awaitExit(timeout)) {
            throw new TopologyException(this + " did not end within " + timeout + "; output so far:\n" + output.tail());
        }
        drain();
        return launcher.exitValue();
    }

    /**
     * Ends the command and everything it started: SIGTERM first when the command handles it, SIGKILL after the grace
     * period (or at once when it does not). Idempotent.
     */
    public synchronized void stop() {
        if (isAlive()) {
            if (init.isPresent() && ProcFs.catchesSigterm(init.get().pid())) {
                init.get().destroy();
                if (awaitExit(stopGrace)) {
                    drain();
                    log.info("{} stopped by SIGTERM, exit code {}", this, launcher.exitValue());
                    return;
                }
                log.warn("{} still running {} after SIGTERM; killing it", this, stopGrace);
            }
            // As init of its PID namespace, the command's death ends every process in it; a command run inside
            // another process's namespaces (runInside) is no init, so its descendants are killed one by one.
            init.ifPresent(h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            });
            launcher.destroyForcibly();
            if (!awaitExit(KILL_TIMEOUT)) {
                throw new TopologyException(this + " still alive " + KILL_TIMEOUT + " after SIGKILL: " + processes());
            }
            log.info("{} killed", this);
        }
        drain();
    }

    /**
     * Runs {@code command} to its end inside this process's network, mount and PID namespaces, so it sees what this
     * process mounted (a FUSE mount, say) and its processes. Throws, having killed it, on timeout.
     */
    public CommandResult runInside(Duration timeout, String... command) {
        return node.runInside(this, timeout, List.of(command));
    }

    /**
     * Starts {@code command} inside this process's network, mount and PID namespaces, beside it (see {@link
     * Node#startInside}); stopping it leaves this process and the rest of its namespace running.
     */
    public NodeProcess startInside(List<String> command, StartOptions options) {
        return node.startInside(this, command, options);
    }

    /**
     * A JVM among the command's processes that hangs is asked to print its threads (SIGQUIT: HotSpot
     * prints them on standard output and goes on), so the error shows where it waits; the wait for
     * them is bounded. Other programs are left alone: SIGQUIT ends them.
     */
    private void printJavaThreads() {
        Optional<ProcessHandle> jvm = processes().stream()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst();
        if (jvm.isEmpty()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-QUIT", Long.toString(jvm.get().pid()))
                    .redirectErrorStream(true)
                    .start()
                    .waitFor(DRAIN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            output.awaitLine(JVM_THREADS_END, DRAIN_TIMEOUT);
        } catch (IOException e) {
            log.warn("{}: cannot ask {} for its threads: {}", this, jvm.get().pid(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** HotSpot's thread dump ends with this line. */
    private static final Pattern JVM_THREADS_END = Pattern.compile("^JNI global refs");

    private String state() {
        OptionalInt exitCode = exitCode();
        return exitCode.isPresent() ? "exit code " + exitCode.getAsInt() : "still running";
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    boolean awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isAlive()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            sleep(POLL_MILLIS);
        }
        return true;
    }

    private void drain() {
        try {
            if (!output.awaitEnd(DRAIN_TIMEOUT)) {
                log.warn("{}: output pipes still open {} after it ended", this, DRAIN_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String outputTail() {
        return output.tail();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "[" + node.name() + "] " + name + "#"
                + init.map(h -> Long.toString(h.pid())).orElse("?");
    }
}
