package io.dpuoffload.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpuoffload.api.yaml.SpecFiles;
import io.dpuoffload.crd.profile.OffloadProfileSpec;
import io.dpuoffload.crd.profile.ProfileResources;
import io.dpuoffload.crd.testing.CrdSchemas;
import io.dpuoffload.crd.testing.RepoFiles;
import io.dpuoffload.crd.testing.Resources;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The sample resources in {@code manifests/samples/} are what a user applies first: each is accepted
 * by its CRD as the API server checks it, and each built-in profile's sample is exactly the built-in profile.
 */
class SamplesTest {
    static final Path SAMPLES = RepoFiles.manifests().resolve("samples");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @ParameterizedTest
    @FieldSource("io.dpuoffload.api.yaml.SpecFiles#BUILT_IN")
    void eachBuiltInProfileHasItsSample(String name) throws IOException {
        OffloadProfile sample = SERIALIZATION.unmarshal(
                Files.readString(SAMPLES.resolve("offloadprofile-" + name + ".yaml")), OffloadProfile.class);

        assertThat(sample.getMetadata().getName()).isEqualTo(name);
        assertThat(ProfileResources.toProfile(sample.getMetadata().getName(), sample.getSpec()))
                .as("the sample's spec read as a profile, against offload-api's built-in %s profile", name)
                .isEqualTo(SpecFiles.profile(name));
        OffloadProfileSpec builtIn = ProfileResources.fromProfileYaml(SpecFiles.builtIn(name));
        assertThat(ProfileResources.revision(name, sample.getSpec()))
                .as("the sample's revision is the built-in profile's: the same content")
                .isEqualTo(ProfileResources.revision(name, builtIn));
    }

    @Test
    void theOffloadNodeSamplePairsHost1WithDpu1RunningLibvirt() throws IOException {
        OffloadNode sample =
                SERIALIZATION.unmarshal(Files.readString(SAMPLES.resolve("offloadnode.yaml")), OffloadNode.class);

        assertThat(sample.getSpec().hostNode()).isEqualTo("host-1");
        assertThat(sample.getSpec().dpuNode()).isEqualTo("dpu-1");
        assertThat(sample.getSpec().profiles()).containsExactly("libvirt");
    }

    @Test
    void everySampleIsAcceptedByItsCrd() throws IOException {
        CrdSchemas crds = CrdSchemas.committed();
        List<JsonNode> samples = samples();

        assertThat(samples)
                .extracting(Resources::id)
                .contains("OffloadProfile/libvirt", "OffloadProfile/containerd", "OffloadNode/host-1");
        for (JsonNode sample : samples) {
            assertThat(crds.validate(sample)).as(Resources.id(sample)).isEmpty();
        }
    }

    @Test
    void theSamplesExerciseTheCrdsRules() {
        CrdSchemas crds = CrdSchemas.committed();

        // Without rules the samples' acceptance would say nothing of the CEL checks.
        assertThat(crds.forKind("OffloadNode").ruleCount()).isGreaterThanOrEqualTo(2);
        assertThat(crds.forKind("OffloadProfile").ruleCount()).isGreaterThanOrEqualTo(2);
    }

    /** The sample files' objects (the kustomization that lists them is not one). */
    static List<JsonNode> samples() throws IOException {
        try (Stream<Path> files = Files.list(SAMPLES)) {
            return files.filter(file -> file.toString().endsWith(".yaml"))
                    .filter(file -> !file.getFileName().toString().equals("kustomization.yaml"))
                    .sorted()
                    .flatMap(file -> Resources.read(file).stream())
                    .toList();
        }
    }
}
