package io.dpuoffload.e2e.containerd;

import static io.dpuoffload.e2e.containerd.ContainerdOffloadIT.commandLine;
import static io.dpuoffload.e2e.containerd.ContainerdOffloadIT.pidsRunning;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.demo.ContainerdSandbox;
import io.dpuoffload.cli.demo.OciImage;
import io.dpuoffload.e2e.images.CgroupDirectories;
import io.dpuoffload.e2e.images.PrivateContainerd;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CRI path kubelet takes, against stock containerd in the DPU's offload root: the same calls
 * as {@link CriLocalIT} (a host-network pod, its container, logs, exec, stop and remove), made by a
 * CRI client on the DPU's side of containerd's socket, with the pod's processes on the host.
 */
@ExtendWith(TopologyExtension.class)
class CriOffloadIT {
    /** containerd 1.6's default sandbox image, which the profile keeps; the local pause is tagged so. */
    private static final String DEFAULT_SANDBOX_IMAGE = "registry.k8s.io/pause:3.6";

    /** Where CRI writes the pod's logs: in the root's /run, which is on the DPU's disk. */
    private static final Path LOG_DIRECTORY = Path.of("/run/dpuo-cri/pods/dpuo_cri-flow");

    @BeforeAll
    static void containerdIsInstalled() throws Exception {
        ContainerdPrerequisites.require("CriOffloadIT");
    }

    @Test
    void kubeletsCallsRunAHostNetworkPodOnTheHost(Topology topology) throws Exception {
        CgroupDirectories cgroups = CgroupDirectories.before(PrivateContainerd.CRI_NAMESPACE);
        try (OffloadedContainerd containerd = OffloadedContainerd.start(topology, "cri")) {
            String k8s = PrivateContainerd.CRI_NAMESPACE;
            containerd.importImages(k8s, OciImage.PAUSE, OciImage.BUSYBOX);
            containerd.ctrIn(k8s, "images", "tag", OciImage.PAUSE.name(), DEFAULT_SANDBOX_IMAGE);

            CriFlow.Facts facts;
            try (CriClient cri = CriClient.connect(containerd.runFile(ContainerdSandbox.SOCKET))) {
                CriFlow.LogReader throughTheRoot = path -> {
                    Path file = containerd.runFile(path.toString());
                    return Files.exists(file) ? Files.readString(file) : "";
                };
                facts = new CriFlow(cri, LOG_DIRECTORY, throughTheRoot).run(running -> {
                    assertThat(commandLine(containerd.host, running.containerPid()))
                            .as("the container's process, in the host's PID namespace")
                            .isEqualTo(CriFlow.CONTAINER_PROCESS);
                    assertThat(commandLine(containerd.host, running.sandboxPid()))
                            .as("the pod's pause process, on the host")
                            .isEqualTo("/bin/sleep infinity");
                    assertThat(pidsRunning(containerd.dpu(), CriFlow.CONTAINER_PROCESS))
                            .as("no container process on the DPU")
                            .isEmpty();
                });
            }
            System.out.println("CRI flow against offloaded containerd " + facts.runtimeVersion() + ": container"
                    + " pid " + facts.running().containerPid() + " on the host, log line `" + facts.logLine() + "`");
            assertThat(containerd.stopDpuAgent()).contains("[containerd] stopped", "taken down");
        } finally {
            cgroups.removeMadeHere();
        }
    }
}
