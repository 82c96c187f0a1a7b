package io.dpuoffload.exec;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dpuoffload.exec.client.RemoteRun;
import io.dpuoffload.exec.wire.ExecRequest;
import io.dpuoffload.linux.ProcessExits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Programs run on the host for a client, as local children would run: exit codes and signal
 * deaths exactly, stdin to end of file, stdout and stderr apart, argv and environment as exact
 * bytes, working directory and umask, forwarded signals, a refused program, and the program killed
 * when its client goes away.
 */
class RemoteProcessesIT {
    private static final String SH = "/bin/sh";
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path work;

    private record Result(ProcessExits.Exit exit, String stdout, String stderr, byte[] stdoutBytes) {}

    private static ExecRequest request(Path cwd, int umask, List<byte[]> env, String program, byte[]... args) {
        List<byte[]> argv = new ArrayList<>();
        argv.add(program.getBytes(StandardCharsets.UTF_8));
        argv.addAll(List.of(args));
        return new ExecRequest(
                program.getBytes(StandardCharsets.UTF_8),
                argv,
                env,
                cwd.toString().getBytes(StandardCharsets.UTF_8),
                umask);
    }

    private ExecRequest sh(String script) {
        return request(work, 022, List.of(), SH, "-c".getBytes(), script.getBytes(StandardCharsets.UTF_8));
    }

    private static Result run(ExecPair pair, ExecRequest request, InputStream stdin) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RemoteRun run = RemoteRun.start(pair.connection(), request, stdin);
        ProcessExits.Exit exit = run.await(out, err);
        return new Result(
                exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), out.toByteArray());
    }

    private ExecPair pair() throws Exception {
        return new ExecPair(work, Set.of(SH, PYTHON, "/bin/sleep", "/usr/bin/head"));
    }

    @Test
    void exitCodesAndSignalDeathsArriveExactly() throws Exception {
        try (ExecPair pair = pair()) {
            for (int code : new int[] {0, 1, 42, 127, 255}) {
                assertThat(run(pair, sh("exit " + code), InputStream.nullInputStream())
                                .exit())
                        .isEqualTo(new ProcessExits.Exit(false, code));
            }
            for (int signal : new int[] {9, 15, 11, 6}) {
                assertThat(run(pair, sh("kill -" + signal + " $$"), InputStream.nullInputStream())
                                .exit())
                        .as("death by signal %d", signal)
                        .isEqualTo(new ProcessExits.Exit(true, signal));
            }
        }
    }

    @Test
    void stdinToEndOfFileAndStdoutAndStderrApart() throws Exception {
        try (ExecPair pair = pair()) {
            Result result = run(
                    pair,
                    sh("cat; echo to-stderr >&2"),
                    new ByteArrayInputStream("from the DPU\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(result.exit()).isEqualTo(new ProcessExits.Exit(false, 0));
            assertThat(result.stdout()).isEqualTo("from the DPU\n");
            assertThat(result.stderr()).isEqualTo("to-stderr\n");
        }
    }

    @Test
    void argvAndEnvironmentAreExactBytesAndCwdAndUmaskHold() throws Exception {
        byte[] notUtf8 = {'a', (byte) 0xff, (byte) 0xfe, 'z'};
        byte[] env = {'X', '=', (byte) 0xc3, (byte) 0x28};
        Path dir = Files.createDirectories(work.resolve("place"));
        try (ExecPair pair = pair()) {
            Result result = run(
                    pair,
                    request(
                            dir,
                            027,
                            List.of(env),
                            PYTHON,
                            "-c".getBytes(),
                            ("import os, sys; out = sys.stdout.buffer;"
                                            + " out.write(os.fsencode(sys.argv[1]) + b'|' + os.environb[b'X'] + b'|');"
                                            + " out.write(os.getcwd().encode() + b'|%o' % os.umask(0))")
                                    .getBytes(),
                            notUtf8),
                    InputStream.nullInputStream());
            assertThat(result.exit()).isEqualTo(new ProcessExits.Exit(false, 0));
            byte[] expected = concat(
                    notUtf8, "|".getBytes(), new byte[] {(byte) 0xc3, (byte) 0x28}, ("|" + dir + "|27").getBytes());
            assertThat(result.stdoutBytes()).isEqualTo(expected);
        }
    }

    @Test
    void aMissingWorkingDirectoryOrProgramEndsLikeTheShellSays() throws Exception {
        try (ExecPair pair = pair()) {
            Result noDir = run(
                    pair,
                    request(work.resolve("nowhere"), 022, List.of(), SH, "-c".getBytes(), "true".getBytes()),
                    InputStream.nullInputStream());
            assertThat(noDir.exit()).isEqualTo(new ProcessExits.Exit(false, 127));
            assertThat(noDir.stderr()).contains("working directory", "does not exist on the host");
        }
    }

    @Test
    void aProgramNotAllowedIsRefusedWith126AndAnAuditLine() throws Exception {
        Logger audit = (Logger) LoggerFactory.getLogger("dpuoffload.audit");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        audit.addAppender(lines);
        try (ExecPair pair = pair()) {
            Result result = run(pair, request(work, 022, List.of(), "/bin/true"), InputStream.nullInputStream());
            assertThat(result.exit()).isEqualTo(new ProcessExits.Exit(false, 126));
            assertThat(result.stderr()).contains("/bin/true is not allowed");
        } finally {
            audit.detachAppender(lines);
        }
        assertThat(lines.list).anySatisfy(line -> assertThat(line.getFormattedMessage())
                .contains("denied", "op=exec", "program=/bin/true"));
    }

    @Test
    void aSignalSentToTheClientReachesTheProgram() throws Exception {
        try (ExecPair pair = pair()) {
            RemoteRun run = RemoteRun.start(
                    pair.connection(),
                    sh("trap 'exit 7' USR1; echo ready; while :; do sleep 0.05; done"),
                    InputStream.nullInputStream());
            var out = new java.io.PipedOutputStream();
            var in = new java.io.PipedInputStream(out);
            var exit = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return run.await(out, OutputStream.nullOutputStream());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(new String(in.readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("ready\n");
            run.signal(10); // SIGUSR1
            assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(new ProcessExits.Exit(false, 7));
        }
    }

    @Test
    void theProgramDiesWhenItsClientIsGone() throws Exception {
        ExecPair pair = pair();
        try {
            RemoteRun run = RemoteRun.start(pair.connection(), sh("sleep 1000"), InputStream.nullInputStream());
            var exit = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    run.await(OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
                } catch (Exception e) {
                    // the connection is lost: expected
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> run.hostPid() > 0);
            ProcessHandle program = ProcessHandle.of(run.hostPid()).orElseThrow();
            pair.client.close(); // the DPU side goes away
            long start = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !program.isAlive());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            exit.get(10, TimeUnit.SECONDS);
        } finally {
            pair.close();
        }
    }

    @Test
    void aDaemonizedDescendantIsFollowedReportedAndKilledWithALostClient() throws Exception {
        try (ExecPair pair = pair()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(
                    pair.exec.followsDescendants(), "skipped: no writable cgroup v2 hierarchy on this machine");
            // A program that daemonizes (a new session, like qemu -daemonize) and exits at once.
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            RemoteRun daemonizing = RemoteRun.start(
                    pair.connection(),
                    sh("setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $!"),
                    InputStream.nullInputStream());
            assertThat(daemonizing.await(out, OutputStream.nullOutputStream()))
                    .isEqualTo(new ProcessExits.Exit(false, 0));
            int daemon = Integer.parseInt(out.toString(StandardCharsets.UTF_8).strip());
            assertThat(daemonizing.descendants()).as("its host pid is reported").contains(daemon);
            ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroyForcibly);
        }
        ExecPair pair = pair();
        try {
            // The same daemon under a program still running: a lost client takes both down.
            var pipe = new java.io.PipedOutputStream();
            var lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(new java.io.PipedInputStream(pipe), StandardCharsets.UTF_8));
            RemoteRun run = RemoteRun.start(
                    pair.connection(),
                    sh("setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $!; sleep 1000"),
                    InputStream.nullInputStream());
            var ended = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    run.await(pipe, OutputStream.nullOutputStream());
                } catch (Exception e) {
                    // the connection is lost: expected
                }
            });
            ProcessHandle daemon =
                    ProcessHandle.of(Long.parseLong(lines.readLine().strip())).orElseThrow();
            ProcessHandle program = ProcessHandle.of(run.hostPid()).orElseThrow();
            pair.client.close();
            long start = System.nanoTime();
            // Dead: gone, or a zombie left to its parent (this JVM does not reap orphans; init does).
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> isDead(daemon) && isDead(program));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            ended.get(10, TimeUnit.SECONDS);
        } finally {
            pair.close();
        }
    }

    @Test
    void aLargeOutputToASlowReaderArrivesWhole() throws Exception {
        long total = 256L << 20;
        try (ExecPair pair = pair()) {
            RemoteRun run = RemoteRun.start(
                    pair.connection(),
                    request(
                            work,
                            022,
                            List.of(),
                            "/usr/bin/head",
                            "-c".getBytes(),
                            Long.toString(total).getBytes(),
                            "/dev/zero".getBytes()),
                    InputStream.nullInputStream());
            long[] seen = {0};
            OutputStream slowAtFirst = new OutputStream() {
                @Override
                public void write(int b) {
                    seen[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    seen[0] += len;
                    if (seen[0] < (8L << 20)) {
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            assertThat(run.await(slowAtFirst, OutputStream.nullOutputStream()))
                    .isEqualTo(new ProcessExits.Exit(false, 0));
            assertThat(seen[0]).isEqualTo(total);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static boolean isDead(ProcessHandle process) {
        try {
            String stat = java.nio.file.Files.readString(
                    java.nio.file.Path.of("/proc", Long.toString(process.pid()), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true; // reaped
        }
    }
}
