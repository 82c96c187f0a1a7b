package io.dpuoffload.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dpuoffload.linux.Mounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host agent in a pod serves the node's directories at their own paths: each is bound from the
 * node's root over the pod's path. Here both "roots" are directories, as the pod's / and the node's
 * / mounted into it at /host.
 */
class NodeDirectoriesIT {
    @TempDir
    Path work;

    private Path node;
    private Path pod;
    private final List<Path> bound = new ArrayList<>();

    @BeforeEach
    void roots() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "bind mounts need root (CI runs as root)");
        node = Files.createDirectories(work.resolve("node"));
        pod = Files.createDirectories(work.resolve("pod"));
    }

    @AfterEach
    void unmount() throws Exception {
        for (Path target : bound.reversed()) {
            Mounts.umount2(target.toString(), Mounts.MNT_DETACH);
        }
    }

    @Test
    void theNodesDirectoryIsShownAtItsOwnPathAndWritesReachTheNode() throws Exception {
        Files.createDirectories(node.resolve("var/lib/libvirt/qemu"));
        Files.writeString(node.resolve("var/lib/libvirt/qemu/vm1.xml"), "<domain/>");
        Files.createDirectories(pod.resolve("var/lib/libvirt"));
        Files.writeString(pod.resolve("var/lib/libvirt/image-file"), "the image's own");

        bound.addAll(NodeDirectories.show(
                node, pod, List.of(Path.of("/var/lib/libvirt"), Path.of("/var/lib/libvirt/qemu"), Path.of("/proc"))));

        assertThat(bound)
                .as("one bind: qemu/ is inside libvirt/, and /proc is the pod's already")
                .containsExactly(pod.resolve("var/lib/libvirt"));
        assertThat(pod.resolve("var/lib/libvirt/qemu/vm1.xml")).hasContent("<domain/>");
        assertThat(pod.resolve("var/lib/libvirt/image-file"))
                .as("the pod's own files there are hidden")
                .doesNotExist();
        Files.writeString(pod.resolve("var/lib/libvirt/qemu/vm2.xml"), "<domain/>");
        assertThat(node.resolve("var/lib/libvirt/qemu/vm2.xml"))
                .as("what the host serves is the node's")
                .exists();
    }

    @Test
    void showingAgainBindsNothingNew() throws Exception {
        List<Path> directories = List.of(Path.of("/var/lib/dpu-offload/images"));
        bound.addAll(NodeDirectories.show(node, pod, directories));
        assertThat(bound).hasSize(1);

        assertThat(NodeDirectories.show(node, pod, directories))
                .as("a second plan on the same pod finds the directory shown")
                .isEmpty();
    }

    @Test
    void aDirectoryTheNodeLacksIsMadeThere() throws Exception {
        bound.addAll(NodeDirectories.show(node, pod, List.of(Path.of("/var/lib/dpu-offload/images"))));

        assertThat(node.resolve("var/lib/dpu-offload/images")).isDirectory();
        Files.writeString(pod.resolve("var/lib/dpu-offload/images/disk.qcow2"), "disk");
        assertThat(node.resolve("var/lib/dpu-offload/images/disk.qcow2")).hasContent("disk");
    }

    @Test
    void theNodesRootItselfIsRefusedWithTheFix() {
        assertThatThrownBy(() -> NodeDirectories.show(node, pod, List.of(Path.of("/"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("share the directories under it instead");
    }
}
