package io.dpuoffload.operator;

import io.dpuoffload.crd.NodeRoles;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;

/**
 * Fabric8's mock API server in CRUD mode with the two custom resources known (cluster-scoped), and
 * a client of it. It keeps what is written and serves watches and merge patches; it has no
 * server-side apply and checks no schema (CrdSchema in offload-crd's tests does that).
 */
final class MockCluster implements AutoCloseable {
    final KubernetesMockServer server;
    final KubernetesClient client;

    MockCluster() {
        var responses = new HashMap<
                io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>();
        var dispatcher = new KubernetesMixedDispatcher(responses);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
        server.init();
        client = server.createClient();
        // The committed CRDs, as `kubectl apply -f crds/` gives them to a cluster: from them the mock
        // learns the resources' scope and their status subresource (a status patch leaves
        // metadata.generation alone, as an API server does).
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("..", "crds"))) {
            for (var file :
                    files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                try (var in = java.nio.file.Files.newInputStream(file)) {
                    client.apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .load(in)
                            .create();
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void node(String name, String role) {
        client.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .addToLabels(NodeRoles.LABEL, role)
                        .endMetadata()
                        .build())
                .create();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
