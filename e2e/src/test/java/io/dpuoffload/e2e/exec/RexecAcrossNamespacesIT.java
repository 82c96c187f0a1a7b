package io.dpuoffload.e2e.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.exec.gateway.RexecBinary;
import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * rexec as a daemon on the DPU uses it: `exec serve` on the host node, `exec gateway` on the DPU
 * node, and real parents (sh, python) on the DPU running host programs through the rexec binary,
 * in the gateway's PID namespace (the host's is another). Each test asserts what such a parent
 * relies on: statuses, signals, stdio, exact bytes, the allowlist, and that a killed client
 * leaves nothing running on the host.
 */
@ExtendWith(TopologyExtension.class)
class RexecAcrossNamespacesIT {
    static final Duration RUN = Duration.ofSeconds(120);

    static Path work;
    static NodeProcess host;
    static NodeProcess gateway;
    static String rexec;
    static String socket;

    @BeforeAll
    static void startBothSides(Topology topology) throws Exception {
        work = Files.createTempDirectory("rexec-it-");
        ExecNodes nodes = ExecNodes.prepare(
                work,
                "allow: [/bin/sh, /bin/cat, /usr/bin/head, /usr/bin/python3]\nfiles: [" + work + "]",
                "dropEnvironment: [DROPPED_BY_FILTER]");
        rexec = nodes.rexec().toString();
        socket = nodes.socket().toString();
        host = nodes.startHost(topology);
        gateway = nodes.startGateway(topology);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
        if (host != null) {
            host.stop();
        }
        if (work != null) {
            io.dpuoffload.cli.WorkDirectory.delete(work);
        }
    }

    /** Runs a shell script on the DPU, in the gateway's namespaces, with rexec in $R. */
    static CommandResult dpuShell(String script) {
        return gateway.runInside(RUN, "env", "DPUO_EXEC_SOCKET=" + socket, "R=" + rexec, "sh", "-c", script);
    }

    /** Runs a python program on the DPU, in the gateway's namespaces; REXEC is rexec's path. */
    static CommandResult dpuPython(String program, String... args) {
        List<String> command = new ArrayList<>(
                List.of("env", "DPUO_EXEC_SOCKET=" + socket, "REXEC=" + rexec, "python3", "-c", program));
        command.addAll(List.of(args));
        return gateway.runInside(RUN, command.toArray(String[]::new));
    }

    @Test
    void everyExitCodeComesBackExactly() {
        CommandResult result = dpuShell("""
                i=0
                while [ $i -le 255 ]; do
                    "$R" /bin/sh -c "exit $i"; got=$?
                    [ $got -eq $i ] || echo "exit $i came back as $got"
                    i=$((i + 1))
                done
                echo checked $i
                """);
        assertThat(result.stdout()).isEqualTo("checked 256\n");
    }

    @Test
    void aSignalDeathIsReproducedForTheParent() {
        CommandResult result = dpuPython("""
                import os, subprocess
                for sig in (1, 2, 3, 6, 9, 10, 12, 13, 14, 15):
                    code = subprocess.run([os.environ["REXEC"], "/bin/sh", "-c", "kill -%d $$" % sig]).returncode
                    print(sig, code)
                """);
        assertThat(result.stdout().lines())
                .containsExactly(
                        "1 -1", "2 -2", "3 -3", "6 -6", "9 -9", "10 -10", "12 -12", "13 -13", "14 -14", "15 -15");
    }

    @Test
    void signalsSentToTheClientReachTheHostProgram() {
        String hostProgram = """
                import signal, sys, time
                names = sys.argv[1:]
                got = []
                def handler(number, frame):
                    got.append(number)
                    print("GOT", signal.Signals(number).name, flush=True)
                for name in names:
                    signal.signal(getattr(signal, "SIG" + name), handler)
                print("READY", flush=True)
                while len(got) < len(names):
                    time.sleep(0.02)
                """;
        CommandResult result = dpuPython("""
                import os, signal, subprocess, sys
                names = ["TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "WINCH", "CONT", "TSTP", "ALRM"]
                child = subprocess.Popen([os.environ["REXEC"], "/usr/bin/python3", "-c", sys.argv[1]] + names,
                                         stdout=subprocess.PIPE)
                assert child.stdout.readline() == b"READY\\n"
                for name in names:
                    child.send_signal(getattr(signal, "SIG" + name))
                    print(name, child.stdout.readline().decode().strip(), flush=True)
                print("EXIT", child.wait())
                """, hostProgram);
        assertThat(result.stdout().lines())
                .containsExactly(
                        "TERM GOT SIGTERM",
                        "INT GOT SIGINT",
                        "HUP GOT SIGHUP",
                        "QUIT GOT SIGQUIT",
                        "USR1 GOT SIGUSR1",
                        "USR2 GOT SIGUSR2",
                        "WINCH GOT SIGWINCH",
                        "CONT GOT SIGCONT",
                        "TSTP GOT SIGTSTP",
                        "ALRM GOT SIGALRM",
                        "EXIT 0");
    }

    @Test
    void stdinIsRelayedAndItsEndIsSeen() {
        CommandResult result = dpuShell("""
                printf 'one\\ntwo\\n' | "$R" /bin/cat
                "$R" /bin/sh -c 'cat; echo "end of input"' < /dev/null
                """);
        assertThat(result.stdout()).isEqualTo("one\ntwo\nend of input\n");
    }

    @Test
    void aQuarterGibibyteReachesASlowReaderWhole() {
        // Far more than every buffer on the way (the pipes', the channel's windows) holds.
        CommandResult result = dpuPython("""
                import os, subprocess, time
                child = subprocess.Popen([os.environ["REXEC"], "/usr/bin/head", "-c", "268435456", "/dev/zero"],
                                         stdout=subprocess.PIPE)
                time.sleep(2)  # a reader that stalls first: the program must wait, not our memory grow
                total = 0
                while True:
                    chunk = child.stdout.read(1 << 20)
                    if not chunk:
                        break
                    total += len(chunk)
                print(total, child.wait())
                """);
        assertThat(result.stdout()).isEqualTo("268435456 0\n");
    }

    @Test
    void argvEnvironmentWorkingDirectoryAndUmaskArriveAsExactBytes() throws Exception {
        Path odd = Files.createDirectory(work.resolve("d\u00e9j\u00e0 vu"));
        String report = """
                import os, sys
                env = {k: v for k, v in os.environb.items() if k in (b"ODD", b"EMPTY", b"DROPPED_BY_FILTER")}
                print(repr((sys.argv[1:], [os.fsencode(a) for a in sys.argv[1:]], sorted(env.items()),
                            os.getcwdb(), oct(os.umask(0)))))
                """;
        CommandResult result = dpuPython("""
                import os, subprocess, sys
                report, where = sys.argv[1], sys.argv[2]
                args = [b"plain", b"\\xff\\xfe not utf-8", b"", b"with  spaces", "d\\u00e9j\\u00e0".encode()]
                env = dict(os.environb)
                env.update({b"ODD": b"\\xc3\\x28", b"EMPTY": b"", b"DROPPED_BY_FILTER": b"x"})
                os.umask(0o027)
                local = subprocess.run([b"/usr/bin/python3", b"-c", report.encode()] + args, env=env, cwd=where,
                                       capture_output=True).stdout
                remote = subprocess.run([os.environ["REXEC"].encode(), b"/usr/bin/python3", b"-c", report.encode()]
                                        + args, env=env, cwd=where, capture_output=True).stdout
                print(local.decode(errors="replace"), end="")
                print(remote.decode(errors="replace"), end="")
                """, report, odd.toString());
        List<String> lines = result.stdout().lines().toList();
        assertThat(lines).hasSize(2);
        String local = lines.get(0);
        String remote = lines.get(1);
        assertThat(remote)
                .as("the filter drops DROPPED_BY_FILTER; everything else is as a local child sees it")
                .isEqualTo(local.replace("(b'DROPPED_BY_FILTER', b'x'), ", ""));
        assertThat(local).contains("b'\\xff\\xfe not utf-8'", "(b'ODD', b'\\xc3(')", "0o27");
    }

    @Test
    void inheritedFilePipesAndListeningSocketReachTheHostProgram() throws Exception {
        Path file = Files.writeString(work.resolve("inherited.txt"), "skip: the rest\n");
        String socketPath = work.resolve("listener.sock").toString();
        String hostProgram = """
                import os, socket
                def closed(fd):
                    try:
                        os.fstat(fd)
                        return False
                    except OSError:
                        return True
                print("file:", os.read(5, 100))
                os.write(6, b"out through a pipe")
                os.close(6)
                print("pipe:", os.read(7, 100))
                listener = socket.socket(fileno=8)
                connection, _ = listener.accept()
                connection.sendall(b"accepted on the host")
                connection.close()
                print("closed:", closed(4), closed(9))
                print("null:", os.readlink("/proc/self/fd/10"), os.write(10, b"gone"))
                """;
        CommandResult result = dpuPython("""
                import os, socket, subprocess, sys
                program, path, socket_path = sys.argv[1:4]
                null = os.open("/dev/null", os.O_RDONLY)
                for low in range(3, 13):  # taken, so what we open next gets numbers above the ones we pass
                    if low != null:
                        os.dup2(null, low, inheritable=False)
                f = os.open(path, os.O_RDONLY)
                os.lseek(f, 6, os.SEEK_SET)
                os.dup2(f, 5)
                from_program, to_us = os.pipe()
                os.dup2(to_us, 6)
                to_program, from_us = os.pipe()
                os.dup2(to_program, 7)
                listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                listener.bind(socket_path)
                listener.listen()
                os.dup2(listener.fileno(), 8)
                os.dup2(os.eventfd(0), 9)  # not carried: the program starts without it
                os.dup2(os.open("/dev/null", os.O_WRONLY), 10)  # carried as the host's own /dev/null
                child = subprocess.Popen([os.environ["REXEC"], "/usr/bin/python3", "-c", program],
                                         pass_fds=(5, 6, 7, 8, 9, 10), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for fd in (5, 6, 7, 8, 9, 10, to_us, to_program):
                    os.close(fd)
                os.write(from_us, b"in through a pipe")
                os.close(from_us)
                client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                client.connect(socket_path)
                print("socket:", client.recv(100))
                print("pipe:", os.read(from_program, 100))
                out, err = child.communicate(timeout=60)
                print(out.decode(), end="")
                print("stderr:", err.decode().strip())
                print("exit:", child.returncode)
                """, hostProgram, file.toString(), socketPath);
        assertThat(result.stdout().lines())
                .as("the DPU parent's stderr: %s", result.stderr())
                .containsExactly(
                        "socket: b'accepted on the host'",
                        "pipe: b'out through a pipe'",
                        "file: b'the rest\\n'",
                        "pipe: b'in through a pipe'",
                        "closed: True True",
                        "null: /dev/null 4",
                        "stderr: rexec: descriptor 9 (anon_inode:[eventfd]) cannot be carried to the host; the"
                                + " program starts without it",
                        "exit: 0");
    }

    @Test
    void aTerminalOnTheDpuGivesTheProgramAPtyThatFollowsItsSize() {
        String hostProgram = """
                import os, signal, sys, time
                size = os.get_terminal_size()
                print("tty", os.isatty(0), os.isatty(1), os.isatty(2), "size", size.columns, size.lines, flush=True)
                resized = []
                signal.signal(signal.SIGWINCH, lambda number, frame: resized.append(number))
                print("READY", flush=True)
                while not resized:
                    time.sleep(0.02)
                size = os.get_terminal_size()
                print("RESIZED", size.columns, size.lines, flush=True)
                print("got", sys.stdin.readline().strip(), "END", flush=True)
                """;
        CommandResult result = dpuPython("""
                import fcntl, os, pty, signal, struct, subprocess, sys, termios
                master, slave = pty.openpty()
                fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
                child = subprocess.Popen([os.environ["REXEC"], "/usr/bin/python3", "-c", sys.argv[1]],
                                         stdin=slave, stdout=slave, stderr=slave)
                os.close(slave)
                seen = b""
                def until(token):
                    global seen
                    while token not in seen:
                        chunk = os.read(master, 1024)
                        if not chunk:
                            break
                        seen += chunk
                until(b"READY")
                fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
                child.send_signal(signal.SIGWINCH)  # what the kernel sends a terminal's foreground
                until(b"RESIZED 100 40")
                os.write(master, b"typed\\r")
                until(b"END")
                print(seen.decode(errors="replace").replace("\\r", ""))
                print("exit", child.wait())
                """, hostProgram);
        assertThat(result.stdout())
                .as("the DPU parent's stderr: %s", result.stderr())
                .contains("tty True True True size 80 24\n", "RESIZED 100 40\n", "got typed END\n", "exit 0");
    }

    @Test
    void aShimInARootRunsTheHostProgramWithItsWholeArgv() throws Exception {
        Path root = Files.createDirectories(work.resolve("offload-root"));
        RexecBinary.writeShim(root.resolve("usr/bin/python3"), "/usr/bin/python3");
        CommandResult result = dpuPython("""
                import os, subprocess, sys
                shim = sys.argv[1]
                report = "import os; print(open('/proc/self/cmdline', 'rb').read().split(b'\\\\0')[:2],"
                report += " os.readlink('/proc/self/ns/pid'))"
                out = subprocess.run(["argv-zero-as-given", "-c", report], executable=shim, capture_output=True)
                print(out.stdout.decode().strip(), out.returncode)
                """, root.resolve("usr/bin/python3").toString());
        String hostPidNamespace =
                host.runInside(RUN, "readlink", "/proc/self/ns/pid").stdout().strip();
        assertThat(result.stdout().strip())
                .as("the DPU parent's stderr: %s", result.stderr())
                .isEqualTo("[b'argv-zero-as-given', b'-c'] " + hostPidNamespace + " 0");
    }

    /**
     * As a host with many shims runs them: twenty long-lived programs started at once from the DPU
     * through one {@code exec serve} all run at once, on a host of two cores (each run's wait for
     * its program once held one of the server's carrier threads, so two ran at a time). Each program
     * marks its start, lives 10 s, and on its way out counts the marks: twenty, for every one.
     */
    @Test
    void twentyLongLivedProgramsStartedAtOnceAllRunAtOnce() throws Exception {
        Path marks = Files.createDirectories(work.resolve("at-once/host"));
        Path seen = Files.createDirectories(work.resolve("at-once/dpu"));
        CommandResult result = dpuShell("""
                i=0
                while [ $i -lt 20 ]; do
                    ( "$R" /bin/sh -c 'touch "$1/started-$$"; sleep 10; ls "$1" | grep -c "^started-"' sh %s \
                        > %s/seen-$i; echo $? > %s/status-$i ) &
                    i=$((i + 1))
                done
                wait
                echo statuses $(cat %s/status-* | sort | uniq -c)
                echo seen $(cat %s/seen-* | sort | uniq -c)
                """.formatted(marks, seen, seen, seen, seen));
        assertThat(result.stdout().lines()).as("%s", result).containsExactly("statuses 20 0", "seen 20 20");
    }

    @Test
    void aProgramNotAllowedExits126WithAMessageAndAnAuditLine() {
        CommandResult result = dpuShell("\"$R\" /bin/ls /; echo \"status $?\"");
        assertThat(result.stdout()).isEqualTo("status 126\n");
        assertThat(result.stderr()).contains("/bin/ls is not allowed on this host");
        host.awaitLine(Pattern.compile(".*denied peer=.*dpu-1.* op=exec program=/bin/ls.*"), Duration.ofSeconds(10));
    }

    @Test
    void aReaderThatLeavesEndsTheProgramAsItWouldEndALocalOne() {
        CommandResult result = dpuPython("""
                import os, subprocess
                for command in (["/bin/sh"], [os.environ["REXEC"], "/bin/sh"]):
                    child = subprocess.Popen(command + ["-c", "while echo y; do :; done"], stdout=subprocess.PIPE)
                    lines = child.stdout.readline() + child.stdout.readline()
                    child.stdout.close()  # the reader goes away: the next write is EPIPE, and SIGPIPE
                    print(lines.decode().split(), child.wait())
                """);
        assertThat(result.stdout()).isEqualTo("['y', 'y'] -13\n['y', 'y'] -13\n");
    }

    @Test
    void aClientKilledAtAnyMomentLeavesNothingRunningOnTheHost() {
        String marker = "rexec-it-" + ProcessHandle.current().pid();
        CommandResult result = dpuPython("""
                import os, random, signal, subprocess, sys, time
                marker = sys.argv[1]
                random.seed(5)
                for run in range(100):
                    # the shell and a daemonized subshell carry the marker (their $0) while they live
                    child = subprocess.Popen([os.environ["REXEC"], "/bin/sh", "-c",
                                              "(setsid sh -c 'while :; do sleep 1; done' \\"$0\\" &);"
                                              " while :; do sleep 1; done", marker])
                    time.sleep(random.uniform(0, 0.15))
                    child.kill()
                    child.wait()
                print("done")
                """, marker);
        assertThat(result.stdout()).isEqualTo("done\n");
        assertThat(hostProcessesWith(marker, Duration.ofSeconds(2)))
                .as(
                        "processes of the killed runs still on the host 2 s after the last kill; the host's warnings:%n%s",
                        String.join(
                                "\n",
                                (host.stdout() + host.stderr())
                                        .lines()
                                        .filter(line -> line.contains(" 11")
                                                || line.contains("WARN") && !line.contains("lost the client"))
                                        .toList()))
                .isEmpty();
    }

    /** Command lines on the host (in exec serve's PID namespace) containing {@code marker}, once the wait is over. */
    static List<String> hostProcessesWith(String marker, Duration wait) {
        return hostProcessesWith(host, marker, wait);
    }

    /** As above, in the PID namespace of {@code server} (an exec serve on the host node). */
    static List<String> hostProcessesWith(NodeProcess server, String marker, Duration wait) {
        CommandResult result =
                server.runInside(RUN, "python3", "-c", """
                import os, sys, time
                marker, deadline = sys.argv[1], time.time() + float(sys.argv[2])
                while True:
                    found = []
                    for pid in filter(str.isdigit, os.listdir("/proc")):
                        try:
                            line = open("/proc/%s/cmdline" % pid, "rb").read().replace(b"\\0", b" ").decode()
                        except OSError:
                            continue
                        if marker in line and "python3" not in line:
                            found.append(pid + " " + line)
                    if not found or time.time() > deadline:
                        break
                    time.sleep(0.1)
                print("\\n".join(found))
                """, marker, Double.toString(wait.toMillis() / 1000.0));
        return result.stdout().lines().filter(line -> !line.isBlank()).toList();
    }
}
