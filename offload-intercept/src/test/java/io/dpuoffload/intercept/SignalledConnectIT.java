package io.dpuoffload.intercept;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Seccomp;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A program that takes signals all the time (Go's runtime preempts goroutines with SIGURG every
 * 10 ms) still has each connect handed to the supervisor once, and answered as the supervisor
 * answered it: a signal that comes while the supervisor works on the call (connecting on the host,
 * for a transparent connect) ends the caller's wait, and the caller makes the call again. Linux
 * 5.19+ keeps the wait of a received call going (WAIT_KILLABLE_RECV); before it, and for a signal
 * just before the call is received, the supervisor knows the call made again. Both ways are tried
 * ({@code killableWait} false is what an older kernel does).
 */
class SignalledConnectIT {
    private static final int CONNECTS = 10;
    /** Long enough that many timer signals come while each call is with the supervisor. */
    private static final long HANDLER_MILLIS = 30;

    /**
     * Connects CONNECTS times, with a timer signal every 500 µs whose handler restarts interrupted
     * calls (SA_RESTART, as Go's handlers), printing each connect's errno (0, then what the server
     * sent, when connected).
     */
    private static final String PROGRAM = """
            import signal, socket, sys
            signal.signal(signal.SIGALRM, lambda *_: None)
            signal.siginterrupt(signal.SIGALRM, False)
            signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)
            for _ in range(int(sys.argv[2])):
                s = socket.socket(socket.AF_UNIX)
                try:
                    s.connect(sys.argv[1])
                    print(0, s.recv(16).decode())
                except OSError as e:
                    print(e.errno)
                s.close()
            """;

    @TempDir
    Path work;

    @ParameterizedTest(name = "killable wait: {0}")
    @ValueSource(booleans = {true, false})
    void aRefusedConnectReachesTheSupervisorOnce(boolean killableWait) throws Exception {
        assumeThat(Seccomp.missingSupport()).as("seccomp user notification").isNull();
        AtomicInteger calls = new AtomicInteger();
        ConnectHandler slowRefusal = call -> {
            calls.incrementAndGet();
            pause();
            call.fails(Errno.EACCES);
        };
        String output = run(theProgramsOwn(slowRefusal), killableWait);
        assertThat(output.lines()).as(output).hasSize(CONNECTS).allMatch(line -> line.equals("" + Errno.EACCES));
        assertThat(calls).as("connects the supervisor was handed").hasValue(CONNECTS);
    }

    @ParameterizedTest(name = "killable wait: {0}")
    @ValueSource(booleans = {true, false})
    void aConnectAnsweredWithASocketConnectsOnceAndGetsThatSocket(boolean killableWait) throws Exception {
        assumeThat(Seccomp.missingSupport()).as("seccomp user notification").isNull();
        Path elsewhere = work.resolve("elsewhere.sock");
        AtomicInteger calls = new AtomicInteger();
        ConnectHandler redirect = Redirect.to(elsewhere);
        ConnectHandler slowRedirect = call -> {
            calls.incrementAndGet();
            pause();
            redirect.connect(call);
        };
        AtomicInteger accepted = new AtomicInteger();
        String output;
        try (ServerSocketChannel server = numberingServer(elsewhere, accepted)) {
            output = run(theProgramsOwn(slowRedirect), killableWait);
        }
        assertThat(output.lines())
                .as(output)
                .containsExactly("0 1", "0 2", "0 3", "0 4", "0 5", "0 6", "0 7", "0 8", "0 9", "0 10");
        assertThat(calls).as("connects the supervisor was handed").hasValue(CONNECTS);
        assertThat(accepted).as("connections the server accepted").hasValue(CONNECTS);
    }

    /**
     * Hands {@code handler} only the connects to the program's path; any other (the C library's
     * lookups, which some systems answer through a socket, as nscd or systemd's userdb) continue in
     * the kernel, so they are neither counted nor answered with the test's socket.
     */
    private ConnectHandler theProgramsOwn(ConnectHandler handler) {
        Path programs = work.resolve("x.sock");
        return call -> {
            if (call.unixPath()
                    .map(ConnectPath::inOurView)
                    .filter(programs::equals)
                    .isPresent()) {
                handler.connect(call);
            } else {
                call.proceed();
            }
        };
    }

    private String run(ConnectHandler handler, boolean killableWait) throws Exception {
        try (InterceptedLauncher launcher =
                InterceptedLauncher.start(Interceptions.none().withConnect(handler), killableWait)) {
            Process program = launcher.launch(new ProcessBuilder(
                            "python3", "-c", PROGRAM, work.resolve("x.sock").toString(), Integer.toString(CONNECTS))
                    .redirectErrorStream(true));
            try {
                // Without either way it never does: every call is interrupted and made again.
                assertThat(program.waitFor(60, TimeUnit.SECONDS))
                        .as("the program ends")
                        .isTrue();
                return new String(program.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                program.destroyForcibly();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(HANDLER_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends each connection it accepts its number, from 1. */
    private static ServerSocketChannel numberingServer(Path path, AtomicInteger accepted) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel client = server.accept()) {
                    String number = Integer.toString(accepted.incrementAndGet());
                    client.write(ByteBuffer.wrap(number.getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }
}
