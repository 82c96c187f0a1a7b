package io.dpuoffload.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dpuoffload.exec.client.RemoteRun;
import io.dpuoffload.exec.host.ExecServer;
import io.dpuoffload.exec.wire.ExecRequest;
import io.dpuoffload.linux.ProcessExits;
import io.dpuoffload.linux.Terminals;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.TransportConfig;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host agent in a pod has the node's {@code /} mounted into it; the programs the DPU starts must
 * be the node's, so they start chrooted there: their files, working directory and terminal are the
 * node's, while the agent itself keeps its own view.
 *
 * <p>The "node" here is a directory with this machine's /usr and /proc bound into it, and a file
 * and a directory only it has.
 */
class ProgramsInTheNodesRootIT {
    private static final String SH = "/bin/sh";

    @TempDir
    Path work;

    private Path node;
    private final List<Path> mounted = new ArrayList<>();
    private ExecServer exec;
    private OffloadServer server;
    private OffloadClient client;

    @BeforeEach
    void aNodeRoot() throws Exception {
        assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "needs root to bind /usr and /proc into a node root (CI runs as root)");
        node = Files.createDirectories(work.resolve("node"));
        for (String dir : List.of("usr", "proc", "etc", "data")) {
            Files.createDirectories(node.resolve(dir));
        }
        bind(Path.of("/usr"), node.resolve("usr"));
        bind(Path.of("/proc"), node.resolve("proc"));
        for (String link : List.of("bin", "lib", "lib64", "sbin")) {
            if (Files.isSymbolicLink(Path.of("/", link))) { // a merged-/usr system: the links go into /usr
                Files.createSymbolicLink(node.resolve(link), Files.readSymbolicLink(Path.of("/", link)));
            }
        }
        assumeTrue(
                Files.isSymbolicLink(node.resolve("bin")),
                "this machine's /bin is no link into /usr; the node root here is built from /usr alone");
        Files.writeString(node.resolve("etc/node-marker"), "the node's own file\n");
    }

    private void bind(Path source, Path target) throws Exception {
        Process mount = new ProcessBuilder("mount", "--bind", source.toString(), target.toString())
                .inheritIO()
                .start();
        assertThat(mount.waitFor()).as("mount --bind %s %s", source, target).isZero();
        mounted.add(target);
    }

    @AfterEach
    void unmount() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (exec != null) {
            exec.close();
        }
        for (Path target : mounted.reversed()) {
            new ProcessBuilder("umount", "-l", target.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
        }
    }

    private void serve(ExecServer server) throws Exception {
        exec = server;
        this.server = ExecPair.serve(work, exec);
        client = OffloadClient.start(
                this.server.boundEndpoint(), TransportConfig.builder("dpu-1").build(), connection -> {});
    }

    private record Result(ProcessExits.Exit exit, String stdout, String stderr) {}

    private Result run(ExecRequest request) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RemoteRun run =
                RemoteRun.start(client.connection(Duration.ofSeconds(10)), request, InputStream.nullInputStream());
        ProcessExits.Exit exit = run.await(out, err);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static ExecRequest sh(String cwd, String script) {
        return new ExecRequest(
                SH.getBytes(StandardCharsets.UTF_8),
                List.of(SH.getBytes(), "-c".getBytes(), script.getBytes(StandardCharsets.UTF_8)),
                List.of("PATH=/usr/bin:/bin".getBytes()),
                cwd.getBytes(StandardCharsets.UTF_8),
                022);
    }

    @Test
    void programsSeeTheNodesFilesAndWorkingDirectoryWhileTheAgentKeepsItsOwn() throws Exception {
        serve(new ExecServer(Set.of(SH)).startProgramsIn(node));

        Result result = run(sh("/data", "cat /etc/node-marker; pwd"));

        assertThat(result.stderr()).isEmpty();
        assertThat(result.stdout()).isEqualTo("the node's own file\n/data\n");
        assertThat(result.exit()).isEqualTo(new ProcessExits.Exit(false, 0));
        assertThat(Path.of("/etc/node-marker"))
                .as("the agent's own view stays its own: only the programs start in the node's root")
                .doesNotExist();
        assertThat(run(sh("/", "cat /etc/node-marker")).stdout())
                .as("the next start is in the node's root again")
                .isEqualTo("the node's own file\n");
    }

    @Test
    void aWorkingDirectoryOnlyTheAgentHasIsNotFoundOnTheNode() throws Exception {
        serve(new ExecServer(Set.of(SH)).startProgramsIn(node));

        Result result = run(sh(work.toString(), "pwd"));

        assertThat(result.exit())
                .as("%s exists in the agent's view, not under the node's root", work)
                .isNotEqualTo(new ProcessExits.Exit(false, 0));
        assertThat(result.stderr()).contains(work.toString());
    }

    @Test
    void aProgramWithATerminalGetsItAsItsControllingTerminal() throws Exception {
        serve(new ExecServer(Set.of(SH)).startProgramsIn(node));

        // field 7 of /proc/PID/stat: the controlling terminal's device number, 0 for none
        Result result = run(sh(
                        "/",
                        "test -t 0 && test -t 1 && read pid comm state ppid pgrp session tty rest </proc/$$/stat"
                                + " && test $tty != 0 && echo controlling terminal")
                .withTerminal(new Terminals.WindowSize(24, 80)));

        assertThat(result.stdout()).contains("controlling terminal");
        assertThat(result.exit()).isEqualTo(new ProcessExits.Exit(false, 0));
    }

    @Test
    void aNodeRootThatIsNoRootIsRefusedWithTheFix() throws Exception {
        ExecServer server = new ExecServer(Set.of(SH));
        exec = server;
        assertThatThrownBy(() -> server.startProgramsIn(work.resolve("missing")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no usr/ directory")
                .hasMessageContaining("hostPath volume of /");
    }
}
