package io.dpuoffload.e2e.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The image tarballs of {@code -Pimages} as a cluster's nodes take them: imported into a real containerd (what kind
 * and the kubelet's runtime use) and loaded by a real {@code docker load}, the same file for both, each then run
 * asking {@code --version}. Runs only with {@code -Pimages} (e2e/pom.xml), after the modules built the tarballs.
 */
class ImageTarballsIT {

    /** Every image the build makes; one line per image. */
    static Stream<ImageTarball> images() {
        return Stream.of("node-agent", "operator").map(ImageTarball::named);
    }

    private static RunDirectories runDirectories;
    private static CgroupDirectories cgroups;
    private static PrivateContainerd containerd;

    @BeforeAll
    static void startContainerd() throws IOException, InterruptedException {
        runDirectories = RunDirectories.before();
        cgroups = CgroupDirectories.before(PrivateContainerd.NAMESPACE);
        containerd = PrivateContainerd.start();
    }

    @AfterAll
    static void stopContainerd() throws IOException, InterruptedException {
        try {
            if (containerd != null) {
                containerd.close();
            }
        } finally {
            runDirectories.removeMadeHere();
            cgroups.removeMadeHere();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void ctrImportsTheTarballAndRunsItsEntrypoint(ImageTarball image) throws Exception {
        assertThat(containerd.importImage(image.file()).lines())
                .as("images stored by ctr import; kind and the kubelet look for exactly the manifests' name")
                .contains(image.reference());

        // ctr's arguments after the id replace the image's command, entrypoint included: write it out.
        List<String> args = new ArrayList<>(image.entrypoint());
        assertThat(args).as("entrypoint").isNotEmpty();
        args.add("--version");
        BoundedCommand.Result result = containerd.run(image.reference(), "version-" + image.name(), args);

        assertThat(result.succeeded())
                .as(result.describe() + "\ncontainerd:\n" + containerd.logText())
                .isTrue();
        assertThat(result.stdout()).contains(ImageTarball.projectVersion());
    }

    /** The node agent sets a VM's NIC up on the host with iproute2's ip: its image has it, and it runs. */
    @org.junit.jupiter.api.Test
    void theNodeAgentsImageRunsIp() throws Exception {
        ImageTarball image = ImageTarball.named("node-agent");
        containerd.importImage(image.file());
        BoundedCommand.Result result =
                containerd.run(image.reference(), "ip-" + image.name(), List.of("/usr/bin/ip", "-V"));
        assertThat(result.succeeded())
                .as(result.describe() + "\ncontainerd:\n" + containerd.logText())
                .isTrue();
        assertThat(result.stdout()).contains("iproute2");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void dockerLoadTakesTheSameTarballAndRunsItWithArgs(ImageTarball image) throws Exception {
        assertThat(image.hasDockerManifest())
                .as("docker-save's manifest.json beside the OCI layout in " + image.file())
                .isTrue();
        Path engine = dockerEngineOrSkip();
        try (PrivateDockerd docker = PrivateDockerd.start(engine)) {
            assertThat(docker.load(image.file())).contains("Loaded image: " + image.reference());

            // docker (as the kubelet) appends a container's args to the entrypoint.
            BoundedCommand.Result result = docker.run(image.reference(), List.of("--version"));

            assertThat(result.succeeded())
                    .as(result.describe() + "\ndockerd:\n" + docker.logText())
                    .isTrue();
            assertThat(result.stdout()).contains(ImageTarball.projectVersion());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void theJreHasEveryModuleTheClassPathNeeds(ImageTarball image, @TempDir Path unpacked) throws Exception {
        image.unpackLayers(unpacked);

        Set<String> needed = new TreeSet<>(JreModules.neededBy(unpacked.resolve("rootfs/app")));
        needed.removeAll(JreModules.LEFT_OUT);

        assertThat(JreModules.listed())
                .as("images/jre-modules against jdeps over " + image.name() + "'s class path (left out on purpose: "
                        + JreModules.LEFT_OUT + ")")
                .containsAll(needed);
    }

    /** dockerd (Debian's docker.io, which `./dpuo test` installs): skipped with the reason where missing, never in CI. */
    private static Path dockerEngineOrSkip() {
        Optional<Path> engine = PrivateDockerd.engine();
        if (engine.isPresent()) {
            return engine.get();
        }
        String reason = "docker load needs dockerd (Debian: docker.io); `./dpuo test` installs it";
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            throw new IllegalStateException("CI=" + ci + " but " + reason);
        }
        System.err.println(reason + "; skipped");
        Assumptions.abort(reason);
        return null;
    }
}
