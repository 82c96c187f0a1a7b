package io.dpuoffload.e2e.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.cli.demo.OciImage;
import io.dpuoffload.e2e.images.CgroupDirectories;
import io.dpuoffload.e2e.images.PrivateContainerd;
import io.dpuoffload.e2e.images.RunDirectories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRI flow (what kubelet asks of containerd for a host-network pod) against a containerd of the test's own with
 * its CRI plugin on, everything on this machine: the baseline the offloaded run is held to. Nothing of it is left
 * afterwards: no mount, no shim, no CRI sandbox file (and no cgroup directory the test made).
 */
class CriLocalIT {

    /** A shim exits once its last task is deleted; it takes well under a second. */
    private static final Duration SHIM_EXIT = Duration.ofSeconds(10);

    @Test
    void kubeletsCallsRunAHostNetworkPodAndLeaveNothing(@TempDir Path images) throws Exception {
        ContainerdPrerequisites.require("CriLocalIT");
        Path pause = OciImage.PAUSE.writeTo(images);
        Path busybox = OciImage.BUSYBOX.writeTo(images);
        RunDirectories runDirectories = RunDirectories.before();
        CgroupDirectories cgroups = CgroupDirectories.before(PrivateContainerd.CRI_NAMESPACE);
        try (PrivateContainerd containerd = PrivateContainerd.startWithCri(OciImage.PAUSE.name())) {
            containerd.importImage(PrivateContainerd.CRI_NAMESPACE, pause);
            assertThat(containerd
                            .importImage(PrivateContainerd.CRI_NAMESPACE, busybox)
                            .lines())
                    .as("images in CRI's namespace (CRI adds a reference by id to each)")
                    .contains(OciImage.PAUSE.name(), OciImage.BUSYBOX.name());
            Path logDirectory = containerd.dir().resolve("pods/dpuo_cri-flow");

            CriFlow.Facts facts;
            try (CriClient cri = CriClient.connect(containerd.socket())) {
                facts = new CriFlow(cri, logDirectory, CriFlow.LogReader.LOCAL).run(running -> {
                    assertThat(commandLine(running.containerPid()))
                            .as("the container's process, here in this machine's PID namespace")
                            .contains(CriFlow.CONTAINER_PROCESS);
                    assertThat(commandLine(running.sandboxPid()))
                            .as("the pause process")
                            .contains("sleep", "infinity");
                    assertThat(shimsOf(containerd.socket()))
                            .as("the pod's shim, found by its -address")
                            .isNotEmpty();
                });
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\ncontainerd:\n" + containerd.logText(), e);
            }
            System.out.println("CRI flow against containerd " + facts.runtimeVersion() + ": container pid "
                    + facts.running().containerPid() + ", log line `" + facts.logLine() + "`");

            assertThat(mountsUnder(containerd.dir()))
                    .as("mounts left by CRI or the shim")
                    .isEmpty();
            await("the shims of " + containerd.socket() + " to exit")
                    .atMost(SHIM_EXIT)
                    .until(() -> shimsOf(containerd.socket()).isEmpty());
            for (Path dir : List.of(
                    containerd.dir().resolve("root/io.containerd.grpc.v1.cri/sandboxes"),
                    containerd.dir().resolve("state/io.containerd.grpc.v1.cri/sandboxes"),
                    containerd.dir().resolve("root/io.containerd.grpc.v1.cri/containers"))) {
                assertThat(entries(dir)).as("CRI's files in " + dir).isEmpty();
            }
        } finally {
            runDirectories.removeMadeHere();
            cgroups.removeMadeHere();
        }
    }

    private static String commandLine(long pid) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8)
                .replace('\0', ' ');
    }

    private static List<String> mountsUnder(Path dir) throws IOException {
        String prefix = dir + "/";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(line -> line.split(" ")[4])
                .filter(mountPoint -> mountPoint.startsWith(prefix))
                .toList();
    }

    /** containerd-shim-runc-v2 processes started by the containerd at SOCKET (their -address names it). */
    private static List<Long> shimsOf(Path socket) {
        return ProcessHandle.allProcesses()
                .filter(process -> process.info()
                        .arguments()
                        .map(args -> List.of(args).contains(socket.toString()))
                        .orElse(false))
                .map(ProcessHandle::pid)
                .toList();
    }

    private static List<Path> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.toList();
        }
    }
}
