package io.dpuoffload.agent.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The agent's client of the API server: from a kubeconfig file, or Fabric8's default (in-cluster). */
public final class ApiClients {
    private ApiClients() {}

    /** @param kubeconfig a kubeconfig file; null for the pod's service account (or ~/.kube/config) */
    public static Config config(Path kubeconfig) {
        if (kubeconfig == null) {
            return new ConfigBuilder().build();
        }
        if (!Files.isReadable(kubeconfig)) {
            throw new IllegalArgumentException("--kubeconfig " + kubeconfig + ": no readable file");
        }
        return Config.fromKubeconfig(kubeconfig.toFile());
    }

    /** On the JDK's HTTP client, named here so that Fabric8 never picks another one it finds. */
    public static KubernetesClient open(Config config) {
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientFactory(new JdkHttpClientFactory())
                .build();
    }
}
