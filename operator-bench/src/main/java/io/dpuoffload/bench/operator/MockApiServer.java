package io.dpuoffload.bench.operator;

import io.dpuoffload.crd.NodeRoles;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * Fabric8's mock API server in CRUD mode on loopback, as the operator's cluster: the committed CRDs
 * loaded, the one call it cannot answer by itself stubbed (leader election's SelfSubjectRulesReview),
 * and every request counted by who made it. The benchmark's own client (the simulated agents and the
 * user's kubectl) calls itself {@link #BENCH_AGENT}; the operator is everything else.
 */
final class MockApiServer implements AutoCloseable {
    static final String BENCH_AGENT = "operator-bench";
    /** The committed CRDs (crds/), which the build copies into the jar. */
    private static final List<String> CRDS =
            List.of("crds/offloadnodes.dpuoffload.io-v1.yml", "crds/offloadprofiles.dpuoffload.io-v1.yml");

    /**
     * The mock server logs every request it answers (java.util.logging, INFO): hundreds a second
     * here. Held here, since the logging framework keeps only a weak reference to a logger.
     */
    private static final java.util.logging.Logger MOCK_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    private final KubernetesMockServer server;
    private final RequestCounts counts = new RequestCounts();
    final KubernetesClient client;

    /**
     * @param storeEvents whether the operator's Events are kept: the mock finds an object by looking
     *     through all it holds, so thousands of Events slow every other request down, which an API
     *     server's store does not. When false, creating an Event is answered 201 and nothing is kept
     *     (the requests are counted all the same).
     */
    MockApiServer(boolean storeEvents, String namespace) {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        var dispatcher = new KubernetesMixedDispatcher(responses) {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                counts.record(
                        BENCH_AGENT.equals(request.getHeader("User-Agent")) ? "agents" : "operator",
                        request.getMethod(),
                        request.getPath());
                return super.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
                        .withMasterUrl(url())
                        .withUserAgent(BENCH_AGENT)
                        .build())
                .withHttpClientFactory(new JdkHttpClientFactory())
                .build();
        for (String crd : CRDS) {
            try (InputStream in = MockApiServer.class.getClassLoader().getResourceAsStream(crd)) {
                if (in == null) {
                    throw new IllegalStateException(crd + " is not in the benchmark's jar; rebuild it");
                }
                client.apiextensions().v1().customResourceDefinitions().load(in).create();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        // JOSDK's leader election first asks what it may do with Leases; the mock has no authorizer.
        server.expect()
                .post()
                .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(
                        201,
                        new SelfSubjectRulesReviewBuilder()
                                .withNewStatus()
                                .addNewResourceRule()
                                .withApiGroups("coordination.k8s.io")
                                .withResources("leases")
                                .withVerbs("*")
                                .endResourceRule()
                                .withIncomplete(false)
                                .endStatus()
                                .build())
                .always();
        if (!storeEvents) {
            server.expect()
                    .post()
                    .withPath("/api/v1/namespaces/" + namespace + "/events")
                    .andReturn(
                            201,
                            new io.fabric8.kubernetes.api.model.EventBuilder()
                                    .withNewMetadata()
                                    .withName("not-kept")
                                    .withNamespace(namespace)
                                    .endMetadata()
                                    .build())
                    .always();
        }
    }

    String url() {
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
    }

    /** A kubeconfig for the operator's JVM: fabric8 reads it from $KUBECONFIG, as in a developer's shell. */
    Path writeKubeconfig(Path dir, String namespace) throws IOException {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: mock
                    cluster:
                      server: %s
                users:
                  - name: operator
                    user:
                      token: operator-bench
                contexts:
                  - name: mock
                    context:
                      cluster: mock
                      user: operator
                      namespace: %s
                current-context: mock
                """.formatted(url(), namespace);
        return Files.writeString(dir.resolve("kubeconfig"), yaml);
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

    RequestCounts counts() {
        return counts;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
