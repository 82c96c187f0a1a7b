package io.dpuoffload.e2e.kube;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where the operator flow runs when it runs on a real cluster: the kubeconfig that reaches it, and
 * the two nodes to pair (labelled {@code dpuoffload.io/role=host} and {@code =dpu}). Given as system
 * properties ({@code -Ddpuo.kubeconfig=FILE -Ddpuo.host-node=N -Ddpuo.dpu-node=N}, what {@code ./dpuo
 * e2e --kubeconfig FILE} passes) or the environment ({@code DPUO_KUBECONFIG}, {@code
 * DPUO_HOST_NODE}, {@code DPUO_DPU_NODE}). Without a kubeconfig the flow runs against the mock API
 * server instead.
 *
 * @param hostNode null: the sample's {@code spec.hostNode}
 * @param dpuNode null: the sample's {@code spec.dpuNode}
 */
record ClusterOptions(Path kubeconfig, String hostNode, String dpuNode) {
    static final String KUBECONFIG = "dpuo.kubeconfig";
    static final String HOST_NODE = "dpuo.host-node";
    static final String DPU_NODE = "dpuo.dpu-node";

    /** The options of this JVM, if it is to run on a real cluster. */
    static Optional<ClusterOptions> ofThisRun() {
        return from(System::getProperty, System.getenv());
    }

    static Optional<ClusterOptions> from(UnaryOperator<String> properties, Map<String, String> environment) {
        String kubeconfig = value(KUBECONFIG, properties, environment);
        if (kubeconfig == null) {
            return Optional.empty();
        }
        return Optional.of(new ClusterOptions(
                Path.of(kubeconfig),
                value(HOST_NODE, properties, environment),
                value(DPU_NODE, properties, environment)));
    }

    /** The property, else its environment variable ({@code dpuo.host-node}: {@code DPUO_HOST_NODE}); blank is none. */
    private static String value(String property, UnaryOperator<String> properties, Map<String, String> environment) {
        String value = properties.apply(property);
        if (value == null || value.isBlank()) {
            value = environment.get(property.toUpperCase(java.util.Locale.ROOT)
                    .replace('.', '_')
                    .replace('-', '_'));
        }
        return value == null || value.isBlank() ? null : value.strip();
    }
}
