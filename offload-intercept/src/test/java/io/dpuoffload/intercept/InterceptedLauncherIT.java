package io.dpuoffload.intercept;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.Errno;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interception machinery with handlers of the test's own: programs started by the launcher
 * have their intercepted calls answered by the handler of the call's kind, whatever the program
 * (a libc-free static binary for connect, python for the pid calls); calls of kinds without a
 * handler, and calls whose handler fails, are the kernel's.
 */
class InterceptedLauncherIT {
    /** A pid no process has (above the kernel's pid_max limit of 2^22). */
    private static final int NO_SUCH_PID = 5_000_000;

    static RawConnectProgram rawConnect;

    @TempDir
    Path work;

    @BeforeAll
    static void buildTheRawProgram() throws Exception {
        rawConnect = RawConnectProgram.build();
    }

    @Test
    void aRawConnectIsAnsweredByTheConnectHandlerWithThePathInOurView() throws Exception {
        List<ConnectPath> seen = new CopyOnWriteArrayList<>();
        ConnectHandler refuseAll = call -> {
            seen.add(call.unixPath().orElseThrow());
            call.fails(Errno.EACCES);
        };
        Files.createDirectories(work.resolve("sub"));
        try (InterceptedLauncher launcher =
                InterceptedLauncher.start(Interceptions.none().withConnect(refuseAll))) {
            Process program = launcher.launch(
                    new ProcessBuilder(rawConnect.binary().toString(), "sub/x.sock", RawConnectProgram.MESSAGE)
                            .directory(work.toFile()));
            assertThat(RawConnectProgram.go(program)).isEqualTo("ERRNO " + Errno.EACCES);
        }
        assertThat(seen).containsExactly(new ConnectPath("sub/x.sock", work.resolve("sub/x.sock")));
    }

    @Test
    void aConnectTheHandlerLetsProceedIsTheKernels() throws Exception {
        try (ServerSocketChannel server = replier(work.resolve("here.sock"), "server-one");
                InterceptedLauncher launcher =
                        InterceptedLauncher.start(Interceptions.none().withConnect(ConnectCall::proceed))) {
            assertThat(rawConnect.run(launcher, work.resolve("here.sock"))).isEqualTo("REPLY server-one");
            assertThat(rawConnect.run(launcher, work.resolve("none.sock"))).isEqualTo("ERRNO " + Errno.ENOENT);
        }
    }

    @Test
    void aSocketConnectedByTheHandlerTakesTheCallersPlace() throws Exception {
        Path elsewhere = work.resolve("elsewhere.sock");
        ConnectHandler redirect = Redirect.to(elsewhere);
        try (ServerSocketChannel server = replier(elsewhere, "server-two");
                InterceptedLauncher launcher =
                        InterceptedLauncher.start(Interceptions.none().withConnect(redirect))) {
            assertThat(rawConnect.run(launcher, work.resolve("no-such.sock"))).isEqualTo("REPLY server-two");
        }
    }

    @Test
    void aHandlerThatFailsLetsTheCallContinueInTheKernel() throws Exception {
        ConnectHandler broken = call -> {
            throw new IllegalStateException("a bug in a handler");
        };
        try (ServerSocketChannel server = replier(work.resolve("here.sock"), "server-one");
                InterceptedLauncher launcher =
                        InterceptedLauncher.start(Interceptions.none().withConnect(broken))) {
            assertThat(rawConnect.run(launcher, work.resolve("here.sock"))).isEqualTo("REPLY server-one");
            assertThat(rawConnect.run(launcher, work.resolve("here.sock")))
                    .as("the loop goes on after a failed handler")
                    .isEqualTo("REPLY server-one");
        }
    }

    @Test
    void pidCallsOnAPidTheHandlerKnowsAreAnsweredByIt() throws Exception {
        PidCallHandler knowsOnePid = pidCall -> {
            if (pidCall.pid() != NO_SUCH_PID) {
                pidCall.call().proceed();
                return;
            }
            switch (pidCall) {
                case PidSyscall.Kill kill -> pidCall.call().returns(0);
                case PidSyscall.GetAffinity get -> {
                    try {
                        byte[] onlyCpuOne = new byte[(int) get.maskBytes()];
                        onlyCpuOne[0] = 0b10;
                        pidCall.call().writeCallerMemory(get.maskAddress(), onlyCpuOne);
                        pidCall.call().returns(onlyCpuOne.length);
                    } catch (Exception e) {
                        pidCall.call().fails(Errno.EFAULT);
                    }
                }
                default -> pidCall.call().fails(Errno.EPERM);
            }
        };
        String script = "import os\n"
                + "os.kill(" + NO_SUCH_PID + ", 0)\n"
                + "print(sorted(os.sched_getaffinity(" + NO_SUCH_PID + ")))\n"
                + "try:\n    os.kill(" + (NO_SUCH_PID + 1) + ", 0)\nexcept ProcessLookupError:\n    print('ESRCH')\n";
        try (InterceptedLauncher launcher =
                InterceptedLauncher.start(Interceptions.none().withPidCalls(knowsOnePid))) {
            assertThat(output(launcher.launch(new ProcessBuilder("python3", "-c", script))))
                    .isEqualTo("[1]\nESRCH");
        }
    }

    @Test
    void kindsWithoutAHandlerAreNotIntercepted() throws Exception {
        try (ServerSocketChannel server = replier(work.resolve("here.sock"), "server-one");
                InterceptedLauncher launcher = InterceptedLauncher.start(
                        Interceptions.none().withPidCalls(call -> call.call().fails(Errno.EPERM)))) {
            assertThat(rawConnect.run(launcher, work.resolve("here.sock"))).isEqualTo("REPLY server-one");
        }
    }

    private static String output(Process program) throws Exception {
        assertThat(program.waitFor(20, TimeUnit.SECONDS))
                .as("the program finished")
                .isTrue();
        String err = new String(program.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(program.exitValue()).as("exit status; stderr: %s", err).isZero();
        return new String(program.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    /** A server that answers each connection's first bytes with {@code reply} (as long as the message). */
    private static ServerSocketChannel replier(Path path, String reply) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel client = server.accept()) {
                    client.read(ByteBuffer.allocate(RawConnectProgram.MESSAGE.length()));
                    client.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }
}
