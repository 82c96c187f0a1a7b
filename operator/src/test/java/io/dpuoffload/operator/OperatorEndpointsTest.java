package io.dpuoffload.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.crd.NodeRoles;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the kubelet and Prometheus see of the operator, and leader election through a Lease. */
class OperatorEndpointsTest {
    private static final String NAMESPACE = "dpu-offload";

    @Test
    void healthReadinessAndMetricsAreServedAndTheLeaderHoldsTheLease() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            // What JOSDK's leader election asks at start (may it use Leases?), answered as an API
            // server answers an operator with the manifests' RBAC.
            cluster.server
                    .expect()
                    .post()
                    .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                    .andReturn(
                            201,
                            new SelfSubjectRulesReviewBuilder()
                                    .withNewStatus()
                                    .addNewResourceRule()
                                    .withApiGroups("coordination.k8s.io")
                                    .withResources("leases")
                                    .withVerbs("get", "create", "update", "patch")
                                    .endResourceRule()
                                    .withIncomplete(false)
                                    .endStatus()
                                    .build())
                    .always();
            cluster.node("host-1", NodeRoles.HOST);
            cluster.node("dpu-1", NodeRoles.DPU);
            try (OperatorRuntime operator = OperatorRuntime.start(
                    cluster.client, new OperatorSettings(NAMESPACE, "replica-a", 0, true, false, new MovableClock()))) {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + operator.port();
                await().atMost(Duration.ofSeconds(30)).until(() -> status(http, base + "/healthz") == 200);
                await().atMost(Duration.ofSeconds(30)).until(() -> status(http, base + "/readyz") == 200);

                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    Lease lease = cluster.client
                            .leases()
                            .inNamespace(NAMESPACE)
                            .withName(OperatorSettings.LEASE)
                            .get();
                    assertThat(lease).isNotNull();
                    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("replica-a");
                });

                cluster.client
                        .resource(new OffloadNode(
                                "rack1", new OffloadNodeSpec("host-1", "dpu-1", null, List.of("nonesuch"), null, null)))
                        .create();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(body(http, base + "/metrics"))
                        .contains("dpuoffload_pairs{ready=\"False\"} 1.0")
                        .contains("operator_sdk_"));
            }
        }
    }

    private static int status(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String body(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
