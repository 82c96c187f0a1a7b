package io.dpuoffload.e2e.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * offload-fs as deployed: `offloadctl fs serve` on the host node, `offloadctl fs mount` on the DPU
 * node, mutual TLS across the veth pair, a real FUSE mount in the DPU's own mount namespace. The
 * host restarting and the link being cut both end DPU operations in bounded time, and the mount
 * recovers by itself.
 */
@ExtendWith(TopologyExtension.class)
class FsAcrossNamespacesIT {
    private static final Duration OP_TIMEOUT = Duration.ofSeconds(3);
    private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");

    @TempDir
    Path work;

    @Test
    void theDpuUsesHostFilesAsTheirOwnAndSurvivesHostRestartAndLinkCut(Topology topology) throws Exception {
        // JUnit makes the temp dir 0700; uid 1000 on the DPU must be able to reach the mount point.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pki = pki();
        Path exported = Files.createDirectories(work.resolve("exported"));
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        Path config = config(pki, exported);
        Files.writeString(exported.resolve("from-host.txt"), "written on the host");
        Path secret = Files.writeString(exported.resolve("root-only"), "secret");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path shared = Files.createDirectories(exported.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));

        NodeProcess host = serve(topology, config);
        NodeProcess mount = mountOnDpu(
                topology,
                pki,
                "data",
                mnt,
                "--expect-peer",
                "host-1",
                "--timeout",
                Long.toString(OP_TIMEOUT.toSeconds()));

        // Ordinary use, both directions.
        assertThat(dpu(mount, "cat " + mnt + "/from-host.txt").stdout().strip()).isEqualTo("written on the host");
        dpu(mount, "echo -n 'written on the DPU' > " + mnt + "/from-dpu.txt && mkdir -p " + mnt + "/a/b");
        assertThat(Files.readString(exported.resolve("from-dpu.txt"))).isEqualTo("written on the DPU");
        assertThat(exported.resolve("a/b")).isDirectory();

        // The caller's identity is applied on the host.
        assertThat(mount.runInside(
                                Duration.ofSeconds(20),
                                "setpriv",
                                "--reuid=1000",
                                "--regid=1000",
                                "--clear-groups",
                                "cat",
                                mnt + "/from-host.txt")
                        .orThrow()
                        .stdout()
                        .strip())
                .as("a world-readable file is readable for uid 1000")
                .isEqualTo("written on the host");
        CommandResult denied = mount.runInside(
                Duration.ofSeconds(20),
                "setpriv",
                "--reuid=1000",
                "--regid=1000",
                "--clear-groups",
                "cat",
                mnt + "/root-only");
        assertThat(denied.exitCode()).isNotZero();
        assertThat(denied.stderr()).contains("Permission denied");
        mount.runInside(
                        Duration.ofSeconds(20),
                        "setpriv",
                        "--reuid=1000",
                        "--regid=1000",
                        "--clear-groups",
                        "sh",
                        "-c",
                        "echo mine > " + mnt + "/shared/owned-by-1000")
                .orThrow();
        assertThat(Files.getAttribute(exported.resolve("shared/owned-by-1000"), "unix:uid"))
                .isEqualTo(1000);
        assertThat(Files.getAttribute(exported.resolve("shared/owned-by-1000"), "unix:gid"))
                .isEqualTo(1000);

        // The host goes away: operations fail within the timeout instead of hanging.
        host.stop();
        long start = System.nanoTime();
        CommandResult lost = mount.runInside(Duration.ofSeconds(30), "cat", mnt + "/from-host.txt");
        assertThat(lost.exitCode()).isNotZero();
        assertThat(lost.stderr()).contains("Input/output error");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(OP_TIMEOUT.plusSeconds(5));

        // ...and when it is back, the mount carries on by itself.
        serve(topology, config);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> mount.runInside(Duration.ofSeconds(20), "cat", mnt + "/from-host.txt")
                        .stdout()
                        .strip()
                        .equals("written on the host"));

        // The link is cut: bounded failure; restored: recovery.
        topology.host()
                .run(Duration.ofSeconds(10), "ip", "link", "set", "eth0", "down")
                .orThrow();
        start = System.nanoTime();
        assertThat(mount.runInside(Duration.ofSeconds(30), "cat", mnt + "/from-host.txt")
                        .exitCode())
                .isNotZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(OP_TIMEOUT.plusSeconds(8));
        topology.host()
                .run(Duration.ofSeconds(10), "ip", "link", "set", "eth0", "up")
                .orThrow();
        await().atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> mount.runInside(Duration.ofSeconds(20), "cat", mnt + "/from-host.txt")
                        .stdout()
                        .strip()
                        .equals("written on the host"));

        // SIGTERM unmounts cleanly.
        mount.stop();
        assertThat(mount.exitCode()).isPresent();
    }

    @Test
    void aProcViewShowsDpuProcessesFromTheDpuAndAllOthersFromTheHost(Topology topology) throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pki = pki();
        Path mnt = Files.createDirectories(work.resolve("proc"));
        Path config = Files.writeString(work.resolve("fs.yaml"), """
                node: host-1
                listen: tcp://198.51.100.1:7100
                pki: %s
                exports:
                  - name: proc
                    path: /proc
                    procView: true
                    allow:
                      all: [/]
                """.formatted(pki));
        NodeProcess host = serve(topology, config);
        // A host process whose pid the DPU's namespace does not have: push the host's pids past the DPU's.
        String hostPid = host.runInside(
                        Duration.ofSeconds(60),
                        "sh",
                        "-c",
                        "i=0; while [ $i -lt 400 ]; do /bin/true; i=$((i+1)); done; "
                                + "setsid sleep 300 >/dev/null 2>&1 & echo $!")
                .orThrow()
                .stdout()
                .strip();
        NodeProcess mount = mountOnDpu(topology, pki, "proc", mnt, "--local-proc", "/proc");
        assertThat(dpu(mount, "test -e /proc/" + hostPid + " && echo local || echo remote")
                        .stdout()
                        .strip())
                .as("the DPU has no process " + hostPid)
                .isEqualTo("remote");

        // self is the caller on the DPU: the shell reads its own stat through the mount (a builtin, no child).
        String self = dpu(mount, "read line < " + mnt + "/self/stat; echo $$ ${line%% *}")
                .stdout()
                .strip();
        String[] pids = self.split(" ");
        assertThat(pids[1]).as("pid in /proc/self/stat read through the view").isEqualTo(pids[0]);
        assertThat(dpu(mount, "readlink " + mnt + "/1").stdout().strip())
                .as("pid 1 lives on the DPU too: the DPU's wins")
                .isEqualTo("/proc/1");

        // Any other pid is the host's, and files of size 0 read their real content.
        assertThat(dpu(mount, "stat -c %s " + mnt + "/" + hostPid + "/status")
                        .stdout()
                        .strip())
                .isEqualTo("0");
        assertThat(dpu(mount, "grep ^Name: " + mnt + "/" + hostPid + "/status").stdout())
                .contains("sleep");
        assertThat(dpu(mount, "tr '\\0' ' ' < " + mnt + "/" + hostPid + "/cmdline")
                        .stdout()
                        .strip())
                .isEqualTo("sleep 300");
        mount.stop();
    }

    @Test
    void fifosBlockAndWakeAcrossTheSidesAsLocally(Topology topology) throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pki = pki();
        Path exported = Files.createDirectories(work.resolve("exported"));
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        NodeProcess host = serve(topology, config(pki, exported));
        NodeProcess mount = mountOnDpu(topology, pki, "data", mnt, "--timeout", Long.toString(OP_TIMEOUT.toSeconds()));
        dpu(mount, "mkfifo " + mnt + "/pipe");
        assertThat(Files.getAttribute(exported.resolve("pipe"), "unix:mode"))
                .matches(m -> ((int) m & 0170000) == 010000);

        // A reader on the DPU blocks in open (longer than the operation timeout) until the host writes.
        var reader = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> mount.runInside(Duration.ofSeconds(60), "cat", mnt + "/pipe"));
        Thread.sleep(OP_TIMEOUT.plusSeconds(1).toMillis());
        assertThat(reader).as("the reader waits for a writer").isNotDone();
        host.runInside(Duration.ofSeconds(20), "sh", "-c", "echo from-host > " + exported + "/pipe")
                .orThrow();
        assertThat(reader.get(20, java.util.concurrent.TimeUnit.SECONDS)
                        .orThrow()
                        .stdout()
                        .strip())
                .isEqualTo("from-host");

        // The reverse: a reader on the host, the writer on the DPU.
        var hostReader = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> host.runInside(Duration.ofSeconds(60), "cat", exported + "/pipe"));
        Thread.sleep(1000);
        dpu(mount, "echo from-dpu > " + mnt + "/pipe");
        assertThat(hostReader
                        .get(20, java.util.concurrent.TimeUnit.SECONDS)
                        .orThrow()
                        .stdout()
                        .strip())
                .isEqualTo("from-dpu");

        // poll() on the DPU wakes when the host writes: not before, not at the timeout.
        var poller = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> mount.runInside(Duration.ofSeconds(60), "python3", "-c", """
                        import os, select, sys, time
                        fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
                        p = select.poll(); p.register(fd, select.POLLIN)
                        start = time.monotonic(); events = p.poll(15000)
                        print(round(time.monotonic() - start, 1), os.read(fd, 100).decode().strip())
                        """, mnt + "/pipe"));
        Thread.sleep(2500);
        host.runInside(Duration.ofSeconds(20), "sh", "-c", "echo wake > " + exported + "/pipe")
                .orThrow();
        String[] woke = poller.get(30, java.util.concurrent.TimeUnit.SECONDS)
                .orThrow()
                .stdout()
                .strip()
                .split(" ");
        assertThat(Double.parseDouble(woke[0])).as("seconds until poll woke").isBetween(1.5, 10.0);
        assertThat(woke[1]).isEqualTo("wake");
        mount.stop();
    }

    @Test
    void cgroupWritesFromTheDpuReachTheHostAndItsErrnoComesBack(Topology topology) throws Exception {
        Path pids = Path.of("/sys/fs/cgroup/pids");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isDirectory(pids), "this kernel has no cgroup v1 pids hierarchy at /sys/fs/cgroup/pids");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pki = pki();
        Path mnt = Files.createDirectories(work.resolve("cgroup"));
        // `ip netns exec` gives each node a fresh /sys without the cgroup mounts, so the host node
        // mounts the same v1 pids hierarchy again, in its own mount namespace, and exports that.
        Path hostView = Files.createDirectories(work.resolve("pids-on-host"));
        String group = "dpuo-it-" + ProcessHandle.current().pid();
        Path config = Files.writeString(work.resolve("fs.yaml"), """
                node: host-1
                listen: tcp://198.51.100.1:7100
                pki: %s
                exports:
                  - name: pids
                    path: %s
                    cache: none
                    allow:
                      all: [/]
                """.formatted(pki, hostView));
        String java = ProcessHandle.current().info().command().orElseThrow();
        NodeProcess host = topology.host()
                .start(List.of(
                        "sh",
                        "-c",
                        "mount -t cgroup -o pids pids " + hostView
                                + " && exec " + java + " --enable-native-access=ALL-UNNAMED -cp "
                                + System.getProperty("java.class.path")
                                + " " + Offloadctl.class.getName() + " fs serve --config " + config));
        host.awaitLine(Pattern.compile("READY .*"), Duration.ofSeconds(60));
        String hostPid = host.runInside(
                        Duration.ofSeconds(30), "sh", "-c", "setsid sleep 300 >/dev/null 2>&1 & echo $!")
                .orThrow()
                .stdout()
                .strip();
        NodeProcess mount = mountOnDpu(topology, pki, "pids", mnt);
        try {
            dpu(mount, "mkdir " + mnt + "/" + group + " && echo 7 > " + mnt + "/" + group + "/pids.max");
            assertThat(Files.readString(pids.resolve(group).resolve("pids.max")).strip())
                    .isEqualTo("7");

            dpu(mount, "echo " + hostPid + " > " + mnt + "/" + group + "/cgroup.procs");
            assertThat(host.runInside(Duration.ofSeconds(20), "cat", hostView + "/" + group + "/cgroup.procs")
                            .orThrow()
                            .stdout())
                    .as("the host process is now in the DPU-made cgroup")
                    .contains(hostPid);

            // Opened as a shell's `>` opens it (O_CREAT | O_TRUNC), the write gets the host's ESRCH
            // exactly. (dash's echo would print "I/O error" for any failed write, whatever its errno.)
            CommandResult bad =
                    mount.runInside(Duration.ofSeconds(20), "python3", "-c", """
                    import os, sys
                    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                    try:
                        os.write(fd, b"999999\\n")
                    except OSError as e:
                        print(e.strerror)
                    """, mnt + "/" + group + "/cgroup.procs");
            assertThat(bad.stdout()).as("the host's ESRCH reaches the DPU").contains("No such process");
        } finally {
            host.runInside(
                    Duration.ofSeconds(20),
                    "sh",
                    "-c",
                    "echo " + hostPid + " > " + hostView + "/cgroup.procs; kill " + hostPid);
            mount.runInside(Duration.ofSeconds(20), "rmdir", mnt + "/" + group);
            mount.stop();
            if (Files.isDirectory(pids.resolve(group))) {
                Files.delete(pids.resolve(group));
            }
        }
        assertThat(pids.resolve(group))
                .as("rmdir through the mount removed the cgroup")
                .doesNotExist();
    }

    /** `offloadctl fs mount` of {@code export} on the DPU node, as dpu-1, waited for. */
    private static NodeProcess mountOnDpu(Topology topology, Path pki, String export, Path mnt, String... options) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "fs",
                "mount",
                "--server",
                "tcp://198.51.100.1:7100",
                "--export",
                export,
                "--node",
                "dpu-1",
                "--pki",
                pki.toString()));
        args.addAll(List.of(options));
        args.add(mnt.toString());
        NodeProcess mount = topology.dpu().startJava(Offloadctl.class.getName(), JVM, args);
        mount.awaitLine(Pattern.compile("MOUNTED .*"), Duration.ofSeconds(60));
        return mount;
    }

    private NodeProcess serve(Topology topology, Path config) {
        NodeProcess host = topology.host()
                .startJava(Offloadctl.class.getName(), JVM, List.of("fs", "serve", "--config", config.toString()));
        host.awaitLine(Pattern.compile("READY .*"), Duration.ofSeconds(60));
        return host;
    }

    private static CommandResult dpu(NodeProcess mount, String script) {
        return mount.runInside(Duration.ofSeconds(20), "sh", "-c", script).orThrow();
    }

    private Path pki() throws Exception {
        return TestPki.create(work.resolve("pki"));
    }

    private Path config(Path pki, Path exported) throws Exception {
        return Files.writeString(work.resolve("fs.yaml"), """
                node: host-1
                listen: tcp://198.51.100.1:7100
                pki: %s
                peers: [dpu-1]
                exports:
                  - name: data
                    path: %s
                    cache: none
                    sharedFifos: [/]
                    allow:
                      all: [/]
                """.formatted(pki, exported));
    }
}
