package io.dpuoffload.e2e.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.e2e.TestPki;
import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Both agents of a pair, standalone: the host agent serves the profile; the DPU agent builds the
 * offload root (the DPU's system, the host's directory through offload-fs, the host's /proc, a shim),
 * starts a daemon in it, which reaches a host socket, and waits for its socket; `agent stop` takes it all down, and the mount point it
 * had to create on the DPU's disk is gone again.
 */
@ExtendWith(TopologyExtension.class)
class AgentAcrossNamespacesIT {
    private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");
    private static final Duration START = Duration.ofSeconds(90);

    /** Under /var, which the root shows (a bind of the DPU's /var), so the daemon reads it there. */
    private Path work;

    /** The daemon's socket in the root; on the host, where the host agent listens (it makes the directory). */
    private Path daemonSocket;

    @AfterEach
    void removeWork() throws Exception {
        if (work != null) {
            io.dpuoffload.cli.WorkDirectory.delete(work);
        }
        if (daemonSocket != null) {
            Files.deleteIfExists(daemonSocket);
            Files.deleteIfExists(daemonSocket.getParent());
        }
    }

    /** offloadctl in {@code node}'s namespaces, as an operator there runs it. */
    private static CommandResult offloadctl(NodeProcess node, String... arguments) throws Exception {
        return node.runInside(
                START,
                io.dpuoffload.topology.Node.javaCommand(Offloadctl.class.getName(), JVM, List.of(arguments))
                        .toArray(String[]::new));
    }

    @Test
    void theDpuAgentBuildsTheRootRunsTheDaemonAndTakesItAllDown(Topology topology) throws Exception {
        work = Files.createTempDirectory(Path.of("/var/tmp"), "agent-it-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pki = TestPki.create(work.resolve("pki"));
        Path hostData = Files.createDirectories(work.resolve("host-data"));
        Files.writeString(hostData.resolve("hello"), "from the host\n");
        // A mount point the DPU does not have: the agent creates it (on the DPU's disk) and removes it.
        Path sharedAt = Path.of("/srv", work.getFileName().toString());
        // The daemon's own socket, which host programs reach (as a container shim reaches containerd).
        daemonSocket = Path.of("/run", "dpuo-" + work.getFileName(), "echo.sock");
        // A host service the daemon reaches through the share's directory, as libvirtd reaches QEMU's QMP socket.
        NodeProcess hostService = topology.host()
                .start(List.of(
                        "python3", "-c", """
                        import socket, sys
                        s = socket.socket(socket.AF_UNIX)
                        s.bind(sys.argv[1])
                        s.listen()
                        print("listening", flush=True)
                        while True:
                            c, _ = s.accept()
                            c.sendall(b"hello from a host socket\\n")
                            c.close()
                        """, hostData.resolve("service.sock").toString()));
        hostService.awaitLine(Pattern.compile("listening"), START);
        Path profile = Files.writeString(work.resolve("profile.yaml"), """
                name: smoke
                shares:
                  - {name: data, hostPath: %s, path: %s}
                  - {name: proc, hostPath: /proc, cache: none, procView: true}
                sockets: [%s]
                daemonSockets: [%s]
                programs: [/usr/bin/readlink]
                daemons:
                  - name: echo
                    command: [/usr/bin/python3, -c, "import os, socket, threading, time; os.makedirs('%s', exist_ok=True); s = socket.socket(socket.AF_UNIX); s.bind('%s'); s.listen(); threading.Thread(target=lambda: [(c.sendall(b'hello from the DPU daemon'), c.close()) for c, _ in iter(s.accept, None)], daemon=True).start(); print('read', open('%s/hello').read().strip(), flush=True); c = socket.socket(socket.AF_UNIX); c.connect('%s/service.sock'); print('heard', c.recv(100).decode().strip(), flush=True); time.sleep(100000)"]
                    ready: {socket: %s, timeout: 30s}
                """.formatted(
                        hostData,
                        sharedAt,
                        sharedAt,
                        daemonSocket,
                        daemonSocket.getParent(),
                        daemonSocket,
                        sharedAt,
                        sharedAt,
                        daemonSocket));
        Path root = work.resolve("root");
        Path state = work.resolve("state");
        Path pair = Files.writeString(
                work.resolve("pair.yaml"), """
                pair: it
                host: {node: host-1, endpoint: tcp://198.51.100.1:7400, state: %s}
                dpu: {node: dpu-1, root: %s, state: %s}
                pki: %s
                profiles: [%s]
                """.formatted(work.resolve("host-state"), root, state, pki, profile));

        NodeProcess host = topology.host()
                .startJava(
                        Offloadctl.class.getName(),
                        JVM,
                        List.of("agent", "--role", "host", "--config", pair.toString()));
        host.awaitLine(Pattern.compile("READY .*"), START);
        NodeProcess dpu = topology.dpu()
                .startJava(
                        Offloadctl.class.getName(),
                        JVM,
                        List.of("agent", "--role", "dpu", "--config", pair.toString()));
        dpu.awaitLine(Pattern.compile("READY .*"), START);
        assertThat(dpu.stdout() + dpu.stderr())
                .as("the shares' connections carry no offload-ipc: the host sends it nothing there")
                .doesNotContain("no handler on this side");

        assertThat(dpu.stdout())
                .contains("APPLIED  offload-fs data (host " + hostData + ", cache ttl) -> " + root + sharedAt)
                .contains("APPLIED  shim " + root + "/usr/bin/readlink")
                .containsPattern("daemon echo +running, pid \\d+, restarts 0");
        dpu.awaitLine(Pattern.compile(".*\\[echo\\] read from the host"), START);
        dpu.awaitLine(Pattern.compile(".*\\[echo\\] heard hello from a host socket"), START);

        String hostPidNamespace =
                host.runInside(START, "readlink", "/proc/self/ns/pid").stdout().strip();
        String dpuPidNamespace =
                dpu.runInside(START, "readlink", "/proc/self/ns/pid").stdout().strip();
        assertThat(dpu.runInside(START, "chroot", root.toString(), "/usr/bin/readlink", "/proc/self/ns/pid")
                        .stdout()
                        .strip())
                .as("readlink in the root is a shim: it runs on the host")
                .isEqualTo(hostPidNamespace);
        assertThat(dpu.runInside(
                                START,
                                "chroot",
                                root.toString(),
                                "/usr/bin/python3",
                                "-c",
                                "import os; print(os.readlink('/local_proc/self/ns/pid'))")
                        .stdout()
                        .strip())
                .as("the DPU's own /proc is at /local_proc")
                .isEqualTo(dpuPidNamespace);
        assertThat(host.runInside(
                                START,
                                "python3",
                                "-c",
                                "import socket, sys; c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]);"
                                        + " print(c.recv(100).decode())",
                                daemonSocket.toString())
                        .stdout()
                        .strip())
                .as("a host program connects to the daemon's socket at its own path on the host")
                .isEqualTo("hello from the DPU daemon");
        assertThat(Files.isDirectory(sharedAt))
                .as("the mount point made on the DPU's /srv")
                .isTrue();
        Path hostState = work.resolve("host-state");
        CommandResult serving = offloadctl(host, "agent", "status", "--role", "host", "--state", hostState.toString());
        assertThat(serving.exitCode()).as("host agent status: %s", serving).isZero();
        assertThat(serving.stdout())
                .contains("pair it: host host-1, listening on tcp://198.51.100.1:7400", "dpu dpu-1 connected since")
                .contains("share   data         " + hostData, "program /usr/bin/readlink")
                .containsPattern("[1-9]\\d* offload-fs sessions");
        Path shareInRoot = Path.of(root.toString() + sharedAt);
        CommandResult mounts = offloadctl(dpu, "fs", "status");
        assertThat(mounts.stdout())
                .as("the agent's shares among the machine's offload-fs mounts")
                .containsPattern(java.util.regex.Pattern.quote(shareInRoot.toString())
                        + " +data +tcp://198\\.51\\.100\\.1:7400 +\\d+ +connected +\\d+ +0  dpu agent of pair it");
        CommandResult umount = offloadctl(dpu, "fs", "umount", shareInRoot.toString());
        assertThat(umount.exitCode())
                .as("fs umount of an agent's share: %s", umount)
                .isEqualTo(3);
        assertThat(umount.stderr()).contains("is a share of dpu agent of pair it", "offloadctl agent stop");

        CommandResult stopped = dpu.runInside(
                START,
                io.dpuoffload.topology.Node.javaCommand(
                                Offloadctl.class.getName(), JVM, List.of("agent", "stop", "--state", state.toString()))
                        .toArray(String[]::new));
        // The agent is init of the DPU node's PID namespace here, so `agent stop` (run in that
        // namespace) ends with it, killed; elsewhere it prints "stopped the agent (pid N)".
        assertThat(stopped.exitCode()).as("agent stop: %s", stopped).isIn(0, 137);
        assertThat(dpu.waitFor(START))
                .as("the agent's exit code (SIGTERM: 143 for a JVM)")
                .isIn(0, 143);
        assertThat(dpu.stdout() + dpu.stderr()).contains("[echo] stopped", "taken down");
        assertThat(state.resolve("pid")).as("the pid file, gone with the agent").doesNotExist();
        assertThat(io.dpuoffload.api.status.StatusFile.read(state).mounts())
                .extracting(io.dpuoffload.api.status.MountStatus::phase)
                .as("every step undone")
                .containsOnly(io.dpuoffload.api.status.MountPhase.UNDONE);
        assertThat(sharedAt).as("the mount point the agent created").doesNotExist();
        assertThat(root).doesNotExist();
        // (read from the host's namespaces: the DPU's went with its agent; the machine's files are one)
        assertThat(offloadctl(host, "fs", "status").stdout())
                .as("the agent's mount records, gone with it")
                .doesNotContain(root.toString());

        CommandResult alone = offloadctl(host, "agent", "status", "--role", "host", "--state", hostState.toString());
        assertThat(alone.exitCode())
                .as("the host agent without its DPU: %s", alone)
                .isEqualTo(5);
        assertThat(alone.stdout()).contains("dpu dpu-1 not connected");
        CommandResult hostStopped =
                offloadctl(host, "agent", "stop", "--role", "host", "--state", hostState.toString());
        assertThat(hostStopped.exitCode())
                .as("agent stop --role host: %s", hostStopped)
                .isIn(0, 137);
        assertThat(host.waitFor(START)).as("the host agent's exit code").isIn(0, 143);
        assertThat(hostState.resolve("pid"))
                .as("the host agent's pid file, gone with it")
                .doesNotExist();
        assertThat(hostState.resolve("status.yaml"))
                .as("its status, gone with it: a stopped agent is not shown serving")
                .doesNotExist();
        hostService.stop();
    }
}
