package io.dpuoffload.operator;

import io.dpuoffload.operator.certs.AgentSecretsRole;
import io.dpuoffload.operator.certs.ManagedSecrets;
import io.dpuoffload.operator.certs.NodeCertificates;
import io.dpuoffload.operator.pair.PairCensus;
import io.dpuoffload.operator.pair.PairReconciler;
import io.dpuoffload.operator.pair.PairStatusWriter;
import io.dpuoffload.operator.profile.ProfileReconciler;
import io.dpuoffload.operator.profile.RolloutGate;
import io.dpuoffload.operator.web.Endpoints;
import io.dpuoffload.pki.RenewalPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;

/**
 * The running operator: the two reconcilers on the Java Operator SDK, leader election, and the
 * health and metrics endpoints. The SDK patches the primary resources with plain JSON patches
 * rather than server-side apply, and the reconcilers write status by merge patch: every call the
 * operator makes is one Fabric8's mock server serves, so its tests run the code clusters run.
 */
public final class OperatorRuntime implements AutoCloseable {
    private final Operator operator;
    private final Endpoints endpoints;
    private final PrometheusMeterRegistry metrics;
    private final ManagedSecrets secrets;

    private OperatorRuntime(
            Operator operator, Endpoints endpoints, PrometheusMeterRegistry metrics, ManagedSecrets secrets) {
        this.operator = operator;
        this.secrets = secrets;
        this.endpoints = endpoints;
        this.metrics = metrics;
    }

    public static OperatorRuntime start(KubernetesClient client, OperatorSettings settings) throws IOException {
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Operator operator = new Operator(overrider -> {
            overrider
                    .withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics));
            if (settings.leaderElection()) {
                overrider.withLeaderElectionConfiguration(
                        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(OperatorSettings.LEASE)
                                .withLeaseNamespace(settings.namespace())
                                .withIdentity(settings.identity())
                                .withExitOnStopLeading(settings.exitOnLostLead())
                                .build());
            }
        });
        EventRecorder events = new EventRecorder(client, settings.namespace(), settings.identity());
        ManagedSecrets secrets = ManagedSecrets.inform(client, settings.namespace(), settings.clock());
        NodeCertificates certificates =
                new NodeCertificates(client, secrets, settings.namespace(), RenewalPolicy.DEFAULT);
        operator.register(new PairReconciler(
                new PairStatusWriter(client),
                certificates,
                events,
                new RolloutGate(),
                new PairCensus(metrics),
                new AgentSecretsRole(client, settings.namespace()),
                settings.clock()));
        operator.register(new ProfileReconciler(client, events, settings.clock()));
        Endpoints endpoints = new Endpoints(
                settings.port(),
                () -> operator.getRuntimeInfo().isStarted() ? null : "the operator has not started",
                () -> operator.getRuntimeInfo().allEventSourcesAreHealthy()
                        ? null
                        : "unhealthy event sources: "
                                + operator.getRuntimeInfo()
                                        .unhealthyEventSources()
                                        .keySet(),
                metrics);
        operator.start();
        return new OperatorRuntime(operator, endpoints, metrics, secrets);
    }

    public int port() {
        return endpoints.port();
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    @Override
    public void close() {
        operator.stop();
        endpoints.close();
        secrets.close();
    }
}
