package io.dpuoffload.e2e.kube;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.OffloadProfile;
import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sample resources as they ship: the files {@code manifests/samples/kustomization.yaml} lists,
 * parsed, so a test that applies them fails when they stop working. One OffloadNode, and the
 * OffloadProfiles.
 */
record Samples(List<OffloadProfile> profiles, OffloadNode pair) {
    static final Path DIRECTORY = Path.of("..", "manifests", "samples");

    static Samples load() throws IOException {
        return load(DIRECTORY);
    }

    static Samples load(Path directory) throws IOException {
        List<OffloadProfile> profiles = new ArrayList<>();
        List<OffloadNode> pairs = new ArrayList<>();
        for (Path file : resources(directory)) {
            String yaml = Files.readString(file);
            String kind = Serialization.unmarshal(yaml, GenericKubernetesResource.class)
                    .getKind();
            switch (kind) {
                case "OffloadProfile" -> profiles.add(Serialization.unmarshal(yaml, OffloadProfile.class));
                case "OffloadNode" -> pairs.add(Serialization.unmarshal(yaml, OffloadNode.class));
                default -> throw new IllegalStateException(file + ": a sample of kind " + kind + ", not expected");
            }
        }
        if (pairs.size() != 1) {
            throw new IllegalStateException(directory + " has " + pairs.size() + " OffloadNodes; the flow pairs one");
        }
        return new Samples(List.copyOf(profiles), pairs.getFirst());
    }

    /** The files the kustomization names, in its order. */
    @SuppressWarnings("unchecked")
    static List<Path> resources(Path directory) throws IOException {
        Map<String, Object> kustomization =
                Serialization.unmarshal(Files.readString(directory.resolve("kustomization.yaml")), Map.class);
        return ((List<String>) kustomization.get("resources"))
                .stream().map(directory::resolve).toList();
    }

    /** The sample's OffloadNode, pairing {@code hostNode} with {@code dpuNode} (null: the sample's own). */
    OffloadNode pairOf(String hostNode, String dpuNode) {
        OffloadNodeSpec spec = pair.getSpec();
        OffloadNode copy = Serialization.clone(pair);
        copy.setSpec(new OffloadNodeSpec(
                hostNode == null ? spec.hostNode() : hostNode,
                dpuNode == null ? spec.dpuNode() : dpuNode,
                spec.transport(),
                spec.profiles(),
                spec.keepRunsFor(),
                spec.resumeWithin()));
        return copy;
    }

    /** The sample OffloadProfile called {@code name}. */
    OffloadProfile profile(String name) {
        return profiles.stream()
                .filter(p -> p.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no sample OffloadProfile " + name));
    }
}
