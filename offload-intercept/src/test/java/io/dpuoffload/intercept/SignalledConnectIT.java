package io.dpuoffload.intercept;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Seccomp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program that takes signals all the time (Go's runtime preempts goroutines with SIGURG every
 * 10 ms) still has each connect handed to the supervisor once: a signal that came while the
 * supervisor worked on the call (connecting on the host, for a transparent connect) once ended the
 * caller's wait, the connect was made again, and the supervisor connected a second time.
 */
class SignalledConnectIT {
    private static final int CONNECTS = 10;
    /** Long enough that timer signals come while each call is with the supervisor. */
    private static final long HANDLER_MILLIS = 30;

    /**
     * Connects CONNECTS times, with a timer signal every 500 µs whose handler restarts interrupted
     * calls (SA_RESTART), printing each connect's errno.
     */
    private static final String PROGRAM = """
            import errno, signal, socket, sys
            signal.signal(signal.SIGALRM, lambda *_: None)
            signal.siginterrupt(signal.SIGALRM, False)  # SA_RESTART, as Go's handlers
            signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)
            for _ in range(int(sys.argv[2])):
                s = socket.socket(socket.AF_UNIX)
                try:
                    s.connect(sys.argv[1])
                    print(0)
                except OSError as e:
                    print(e.errno)
                s.close()
            """;

    @TempDir
    Path work;

    @Test
    void eachConnectReachesTheSupervisorOnceThoughSignalsKeepComing() throws Exception {
        assumeThat(Seccomp.missingSupport()).as("seccomp user notification").isNull();
        AtomicInteger calls = new AtomicInteger();
        ConnectHandler slowRefusal = call -> {
            calls.incrementAndGet();
            try {
                Thread.sleep(HANDLER_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            call.fails(Errno.EACCES);
        };
        String output;
        try (InterceptedLauncher launcher =
                InterceptedLauncher.start(Interceptions.none().withConnect(slowRefusal))) {
            Process program = launcher.launch(new ProcessBuilder(
                            "python3", "-c", PROGRAM, work.resolve("x.sock").toString(), Integer.toString(CONNECTS))
                    .redirectErrorStream(true));
            try {
                // Without WAIT_KILLABLE_RECV it never does: every call is interrupted after the
                // supervisor took it, and taken again.
                assertThat(program.waitFor(60, TimeUnit.SECONDS))
                        .as("the program ends")
                        .isTrue();
                output = new String(program.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                program.destroyForcibly();
            }
        }
        assertThat(output.lines()).as(output).hasSize(CONNECTS).allMatch(line -> line.equals("" + Errno.EACCES));
        assertThat(calls).as("connects the supervisor was handed").hasValue(CONNECTS);
    }
}
