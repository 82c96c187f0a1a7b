package io.dpuoffload.e2e.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code kubectl apply -f crds/ && kubectl apply -k manifests/}, the documented install, for the
 * flow on a real cluster: with kubectl where it is installed, else with the Fabric8 client, which
 * renders the base's kustomization itself ({@link #render}: the resources, the namespace and the
 * labels, which is all {@code manifests/kustomization.yaml} uses; anything else is refused rather
 * than ignored).
 */
final class Manifests {
    static final Path CRDS = Path.of("..", "crds");
    static final Path BASE = Path.of("..", "manifests");

    /** The CRDs are served within seconds of their creation; a slow control plane gets a minute. */
    private static final Duration ESTABLISHED = Duration.ofMinutes(1);
    /** One kubectl call against the cluster. */
    private static final Duration KUBECTL = Duration.ofMinutes(2);

    /** What the Fabric8 path understands of a kustomization. */
    private static final Set<String> KNOWN_KEYS = Set.of("apiVersion", "kind", "namespace", "labels", "resources");
    /** Kinds the namespace transformer leaves alone: they have none. */
    private static final Set<String> CLUSTER_SCOPED =
            Set.of("Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition");

    private Manifests() {}

    /** Installs the CRDs, then the base, on the cluster of {@code kubeconfig}. */
    static void install(KubernetesClient client, Path kubeconfig) throws Exception {
        if (io.dpuoffload.topology.Prerequisites.hasCommand("kubectl")) {
            kubectl(kubeconfig, "apply", "-f", CRDS.toString());
            kubectl(
                    kubeconfig,
                    "wait",
                    "--for=condition=Established",
                    "--timeout=" + ESTABLISHED.toSeconds() + "s",
                    "crd/offloadnodes.dpuoffload.io",
                    "crd/offloadprofiles.dpuoffload.io");
            kubectl(kubeconfig, "apply", "-k", BASE.toString());
        } else {
            installWithClient(client);
        }
    }

    /** The same with the Fabric8 client alone. */
    static void installWithClient(KubernetesClient client) throws IOException {
        for (CustomResourceDefinition crd : createCrds(client)) {
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd.getMetadata().getName())
                    .waitUntilCondition(Manifests::established, ESTABLISHED.toSeconds(), TimeUnit.SECONDS);
        }
        applyBase(client);
    }

    /** {@code kubectl apply -f crds/}: each created, or updated where it is there. */
    static List<CustomResourceDefinition> createCrds(KubernetesClient client) throws IOException {
        List<CustomResourceDefinition> crds = crds();
        for (CustomResourceDefinition crd : crds) {
            client.resource(crd).createOr(NonDeletingOperation::update);
        }
        return crds;
    }

    /** {@code kubectl apply -k manifests/}, rendered by {@link #render}. */
    static void applyBase(KubernetesClient client) throws IOException {
        for (HasMetadata object : render(client, BASE)) {
            client.resource(object).createOr(NonDeletingOperation::update);
        }
    }

    static List<CustomResourceDefinition> crds() throws IOException {
        List<CustomResourceDefinition> crds = new ArrayList<>();
        try (var files = Files.list(CRDS)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                crds.add(Serialization.unmarshal(Files.readString(file), CustomResourceDefinition.class));
            }
        }
        return crds;
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The objects of the kustomization in {@code directory}, as {@code kubectl kustomize} renders them. */
    @SuppressWarnings("unchecked")
    static List<HasMetadata> render(KubernetesClient client, Path directory) throws IOException {
        Map<String, Object> kustomization =
                Serialization.unmarshal(Files.readString(directory.resolve("kustomization.yaml")), Map.class);
        List<String> unknown = kustomization.keySet().stream()
                .filter(key -> !KNOWN_KEYS.contains(key))
                .sorted()
                .toList();
        if (!unknown.isEmpty()) {
            throw new IllegalStateException(directory + "/kustomization.yaml uses " + unknown
                    + ", which only kubectl renders: install kubectl");
        }
        String namespace = (String) kustomization.get("namespace");
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map<String, Object> entry : (List<Map<String, Object>>) kustomization.getOrDefault("labels", List.of())) {
            if (Boolean.TRUE.equals(entry.get("includeSelectors"))
                    || Boolean.TRUE.equals(entry.get("includeTemplates"))) {
                throw new IllegalStateException(directory + "/kustomization.yaml: labels into selectors or templates"
                        + " are rendered by kubectl only: install kubectl");
            }
            labels.putAll((Map<String, String>) entry.get("pairs"));
        }
        List<HasMetadata> objects = new ArrayList<>();
        for (String file : (List<String>) kustomization.get("resources")) {
            try (InputStream in = Files.newInputStream(directory.resolve(file))) {
                for (HasMetadata object : client.load(in).items()) {
                    if (namespace != null && !CLUSTER_SCOPED.contains(object.getKind())) {
                        object.getMetadata().setNamespace(namespace);
                    }
                    if (namespace != null) {
                        inNamespace(object, namespace);
                    }
                    if (!labels.isEmpty()) {
                        Map<String, String> own = new LinkedHashMap<>(labels);
                        if (object.getMetadata().getLabels() != null) {
                            own.putAll(object.getMetadata().getLabels());
                        }
                        object.getMetadata().setLabels(own);
                    }
                    objects.add(object);
                }
            }
        }
        return objects;
    }

    /** The namespace transformer on the ServiceAccounts bindings name (kustomize does the same). */
    private static void inNamespace(HasMetadata object, String namespace) {
        if (object instanceof io.fabric8.kubernetes.api.model.rbac.RoleBinding binding) {
            binding.getSubjects().stream()
                    .filter(s -> "ServiceAccount".equals(s.getKind()))
                    .forEach(s -> s.setNamespace(namespace));
        } else if (object instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding binding) {
            binding.getSubjects().stream()
                    .filter(s -> "ServiceAccount".equals(s.getKind()))
                    .forEach(s -> s.setNamespace(namespace));
        }
    }

    private static void kubectl(Path kubeconfig, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        // kubectl's output is short (a line per object); read it whole once it ends.
        if (!process.waitFor(KUBECTL.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("`" + String.join(" ", command) + "` took more than " + KUBECTL);
        }
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        System.err.print(output);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("`" + String.join(" ", command) + "` failed: " + output);
        }
    }
}
