package io.dpuoffload.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What every integration test of the project relies on the topology for, checked on real namespaces as root. */
@ExtendWith(TopologyExtension.class)
@Timeout(120)
class TopologyIT {

    /** Small, quick-starting JVMs: these mains do almost nothing. */
    static final List<String> SMALL_JVM =
            List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-Xshare:auto");

    private static final Duration SHORT = Duration.ofSeconds(10);
    private static final Duration JVM_START = Duration.ofSeconds(60);
    private static final String PORT = "7000";

    @Test
    void dpuReachesAServerOnTheHostOverTheVeth(Topology topology) {
        NodeProcess server = topology.host()
                .startJava(EchoServer.class, SMALL_JVM, List.of(topology.host().address(), PORT));
        server.awaitLine(Pattern.compile("^listening on "), JVM_START);

        NodeProcess client = topology.dpu()
                .startJava(EchoClient.class, SMALL_JVM, List.of(topology.host().address(), PORT, "hello from dpu"));

        assertThat(client.waitFor(JVM_START)).as(client.stderr()).isZero();
        assertThat(client.stdout()).contains("reply: echo: hello from dpu (from " + Topology.DPU_ADDRESS + ")");
        assertThat(server.awaitLine(Pattern.compile("^answered "), SHORT))
                .isEqualTo("answered " + Topology.DPU_ADDRESS);
    }

    @Test
    void topologiesSideBySideUseTheSameAddressesWithoutMeetingEachOther(Topology first) {
        try (Topology second = Topology.create()) {
            List<NodeProcess> servers = new ArrayList<>();
            for (Topology topology : List.of(first, second)) {
                servers.add(
                        topology.host().startJava(EchoServer.class, SMALL_JVM, List.of(Topology.HOST_ADDRESS, PORT)));
            }
            for (NodeProcess server : servers) {
                server.awaitLine(Pattern.compile("^listening on "), JVM_START);
            }

            NodeProcess client = second.dpu()
                    .startJava(EchoClient.class, SMALL_JVM, List.of(Topology.HOST_ADDRESS, PORT, "to second"));

            assertThat(client.waitFor(JVM_START)).as(client.stderr()).isZero();
            servers.get(1).awaitLine(Pattern.compile("^answered "), SHORT);
            assertThat(servers.get(0).stdout()).doesNotContain("answered");
        }
    }

    @Test
    void stopGivesAProcessThatHandlesSigtermTheChanceToShutDown(Topology topology) {
        NodeProcess server = topology.host()
                .startJava(EchoServer.class, SMALL_JVM, List.of(topology.host().address(), PORT));
        server.awaitLine(Pattern.compile("^listening on "), JVM_START);

        server.stop();

        assertThat(server.stdout()).contains("echo server stopping");
        assertThat(server.exitCode()).hasValue(128 + 15);
    }

    @Test
    void nothingOfTheTopologyIsInTheRootNamespace(Topology topology) {
        String rootAddresses = HostCommand.run(List.of(Prerequisites.require("ip"), "-o", "addr"))
                .orThrow()
                .stdout();
        assertThat(rootAddresses).doesNotContain("198.51.100.");

        for (Node node : topology.nodes()) {
            String addresses = node.run(SHORT, "ip", "-o", "-4", "addr", "show", "dev", Node.INTERFACE)
                    .orThrow()
                    .stdout();
            assertThat(addresses).contains(node.address() + "/24");
            assertThat(node.run(SHORT, "ip", "-o", "link", "show", "lo")
                            .orThrow()
                            .stdout())
                    .contains("UP");
        }
    }

    @Test
    void eachNodeProcessIsPidOneOfItsOwnPidNamespace(Topology topology) {
        for (Node node : topology.nodes()) {
            assertThat(node.run(SHORT, "sh", "-c", "echo $$").orThrow().stdout())
                    .isEqualTo("1\n");
        }

        NodeProcess dpuSleeper = topology.dpu().start(List.of("sleep", "312"));
        assertThat(ProcessHandle.of(dpuSleeper.pid()).flatMap(p -> p.info().commandLine()))
                .as("the root namespace sees the node's process under its host pid")
                .hasValueSatisfying(cmd -> assertThat(cmd).contains("sleep 312"));

        String hostView = topology.host()
                .run(
                        SHORT,
                        "sh",
                        "-c",
                        "for p in /proc/[0-9]*; do printf '%s %s\\n' \"${p#/proc/}\" \"$(tr '\\0' ' ' < $p/cmdline)\"; done")
                .orThrow()
                .stdout();
        assertThat(hostView).doesNotContain("sleep 312").contains("1 sh -c");
        for (String line : hostView.strip().split("\n")) {
            assertThat(Long.parseLong(line.split(" ", 2)[0]))
                    .as("only the listing shell and its children are visible: %s", hostView)
                    .isLessThan(10);
        }
    }

    @Test
    void mountsMadeInsideANodeProcessStayInsideIt(Topology topology) throws Exception {
        String marker = "dpuo-tmpfs-" + UUID.randomUUID();
        NodeProcess mounter = topology.host()
                .start(List.of(
                        "sh",
                        "-c",
                        "mount -t tmpfs " + marker + " /mnt && grep -c " + marker
                                + " /proc/self/mountinfo && echo mounted && exec sleep 300"));
        mounter.awaitLine(Pattern.compile("^mounted$"), SHORT);

        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(marker);
        for (Node node : topology.nodes()) {
            assertThat(node.run(SHORT, "cat", "/proc/self/mountinfo").orThrow().stdout())
                    .as("another process on %s", node.name())
                    .doesNotContain(marker);
        }
        assertThat(mounter.runInside(SHORT, "grep", "-c", marker, "/proc/self/mountinfo")
                        .orThrow()
                        .stdout())
                .as("a command run inside the mounting process's namespaces sees the mount")
                .isEqualTo("1\n");
        assertThat(mounter.runInside(SHORT, "cat", "/proc/1/cmdline").orThrow().stdout())
                .as("and shares its PID namespace, where the mounting process is pid 1")
                .startsWith("sleep");

        assertThatThrownBy(() -> mounter.runInside(Duration.ofMillis(500), "sh", "-c", "sleep 300 & sleep 301"))
                .hasMessageContaining("did not finish within");
        assertThat(mounter.processes())
                .as("the timed-out command's children were killed, not left to the mounting process")
                .hasSize(1);
        mounter.stop();
    }

    @Test
    void stoppingAProcessEndsEverythingItStarted(Topology topology) throws Exception {
        NodeProcess shell = topology.dpu().start(List.of("sh", "-c", "sleep 300 & sleep 301"));
        List<ProcessHandle> tree = awaitProcessCount(shell, 3);
        assertThat(IpNetns.pids(topology.dpu().namespace())).isNotEmpty();

        shell.stop();

        assertThat(tree)
                .allSatisfy(
                        p -> assertThat(ProcFs.isGone(p)).as("pid %d", p.pid()).isTrue());
        assertThat(IpNetns.pids(topology.dpu().namespace())).isEmpty();
        assertThat(shell.isAlive()).isFalse();
    }

    @Test
    void runFailsClearlyOnTimeoutAndKillsWhatItStarted(Topology topology) {
        assertThatThrownBy(() -> topology.host().run(Duration.ofMillis(500), "sh", "-c", "echo started; sleep 300"))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("did not finish within PT0.5S")
                .hasMessageContaining("out| started");

        assertThat(IpNetns.pids(topology.host().namespace())).isEmpty();
    }

    @Test
    void runReportsExitCodeAndBothStreams(Topology topology) {
        CommandResult result = topology.dpu().run(SHORT, "sh", "-c", "echo to-out; echo to-err >&2; exit 3");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("to-out\n");
        assertThat(result.stderr()).isEqualTo("to-err\n");
        assertThatThrownBy(result::orThrow)
                .hasMessageContaining("exited with 3")
                .hasMessageContaining("to-err");
    }

    @Test
    void aJvmThatPrintsNoSuchLineInTimeShowsItsThreadsAndGoesOn(Topology topology) {
        NodeProcess server = topology.host()
                .startJava(EchoServer.class, SMALL_JVM, List.of(topology.host().address(), PORT));
        server.awaitLine(Pattern.compile("^listening on "), JVM_START);

        assertThatThrownBy(() -> server.awaitLine(Pattern.compile("^never printed"), Duration.ofSeconds(1)))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("printed no line matching /^never printed/")
                .hasMessageContaining("JNI global refs"); // the end of HotSpot's thread dump
        assertThat(server.stdout()).as("the whole dump").contains("Full thread dump", "\"main\"");
        assertThat(server.isAlive()).as("the JVM after printing its threads").isTrue();

        NodeProcess sleeper = topology.host().start(List.of("sleep", "30"));
        assertThatThrownBy(() -> sleeper.awaitLine(Pattern.compile("ready"), Duration.ofMillis(300)))
                .hasMessageContaining("still running");
        assertThat(sleeper.isAlive())
                .as("a program that is not a JVM gets no SIGQUIT")
                .isTrue();
    }

    @Test
    void awaitLineFailsWithTheOutputWhenTheProcessEndsFirst(Topology topology) {
        NodeProcess process = topology.host().start(List.of("sh", "-c", "sleep 0.2; echo boom; exit 4"));

        assertThatThrownBy(() -> process.awaitLine(Pattern.compile("ready"), Duration.ofSeconds(30)))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("(exit code 4) without printing a line matching /ready/")
                .hasMessageContaining("out| boom");
        assertThat(process.exitCode()).hasValue(4);
    }

    @Test
    void closeRemovesBothNamespacesAndEveryProcessEvenWhenTheBodyThrows() {
        List<String> namespaces = new ArrayList<>();
        List<ProcessHandle> started = new ArrayList<>();

        assertThatThrownBy(() -> {
                    try (Topology topology = Topology.create()) {
                        topology.nodes().forEach(node -> namespaces.add(node.namespace()));
                        started.addAll(awaitProcessCount(topology.host().start(List.of("sleep", "300")), 1));
                        started.addAll(awaitProcessCount(
                                topology.dpu().start(List.of("sh", "-c", "sleep 300 & sleep 301")), 3));
                        assertThat(IpNetns.list()).containsAll(namespaces);
                        throw new IllegalStateException("test body failed");
                    }
                })
                .hasMessage("test body failed");

        assertThat(IpNetns.list()).doesNotContainAnyElementsOf(namespaces);
        assertThat(started).hasSize(4).allSatisfy(p -> assertThat(ProcFs.isGone(p))
                .as("pid %d", p.pid())
                .isTrue());
    }

    @Test
    void closeIsIdempotentAndAClosedTopologyStartsNothing() {
        Topology topology = Topology.create();
        topology.close();
        topology.close();

        assertThatThrownBy(() -> topology.host().start(List.of("true")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    /** Waits (bounded) until the process and its descendants number {@code count}, and returns them. */
    static List<ProcessHandle> awaitProcessCount(NodeProcess process, int count) throws InterruptedException {
        for (int attempt = 0; attempt < 500; attempt++) {
            List<ProcessHandle> tree = process.processes();
            if (tree.size() >= count) {
                return tree;
            }
            Thread.sleep(10);
        }
        throw new AssertionError(process + " did not reach " + count + " processes: " + process.processes());
    }
}
