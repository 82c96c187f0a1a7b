package io.dpuoffload.e2e.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.demo.OciImage;
import io.dpuoffload.e2e.images.BoundedCommand;
import io.dpuoffload.e2e.images.CgroupDirectories;
import io.dpuoffload.e2e.images.PrivateContainerd;
import io.dpuoffload.e2e.images.RunDirectories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image built here with no registry, as a containerd of the test's own takes it: {@code ctr images import}
 * stores it under the name in its index, and a container of it runs busybox's applets.
 */
class OciImageIT {

    @Test
    void ctrImportsTheImageAndRunsACommandInIt(@TempDir Path dir) throws Exception {
        ContainerdPrerequisites.require("OciImageIT");
        Path tar = OciImage.BUSYBOX.writeTo(dir);
        RunDirectories runDirectories = RunDirectories.before();
        CgroupDirectories cgroups = CgroupDirectories.before(PrivateContainerd.NAMESPACE);
        try (PrivateContainerd containerd = PrivateContainerd.startNative()) {
            assertThat(containerd.importImage(tar).lines())
                    .as("names stored by ctr import, from the index's io.containerd.image.name")
                    .contains(OciImage.BUSYBOX.name());

            BoundedCommand.Result result = containerd.run(OciImage.BUSYBOX.name(), "t1", List.of("echo", "hi"));

            assertThat(result.succeeded())
                    .as(result.describe() + "\ncontainerd:\n" + containerd.logText())
                    .isTrue();
            assertThat(result.stdout()).isEqualTo("hi\n");
        } finally {
            runDirectories.removeMadeHere();
            cgroups.removeMadeHere();
        }
    }

    @Test
    void theSameImageGivesTheSameBytes(@TempDir Path first, @TempDir Path second) throws Exception {
        ContainerdPrerequisites.require("OciImageIT");
        byte[] one = Files.readAllBytes(OciImage.PAUSE.writeTo(first));
        byte[] two = Files.readAllBytes(OciImage.PAUSE.writeTo(second));
        assertThat(OciImage.digest(one))
                .as("a rebuilt image must not look like a new one to containerd")
                .isEqualTo(OciImage.digest(two));
    }
}
