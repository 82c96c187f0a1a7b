package io.dpuoffload.operator;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dpuoffload-operator}: runs the operator until SIGTERM. */
@Command(
        name = "dpuoffload-operator",
        mixinStandardHelpOptions = true,
        versionProvider = OperatorMain.Version.class,
        description = "Reconciles OffloadNodes and OffloadProfiles (dpuoffload.io/v1alpha1).")
public final class OperatorMain implements Callable<Integer> {
    @Option(
            names = "--namespace",
            defaultValue = "${env:POD_NAMESPACE:-dpu-offload}",
            description = "Where the Secrets, Lease and Events go (default: $POD_NAMESPACE, else ${DEFAULT-VALUE}).")
    String namespace;

    @Option(
            names = "--identity",
            defaultValue = "${env:POD_NAME:-dpuoffload-operator}",
            description = "This replica's name in the Lease and Events (default: $POD_NAME).")
    String identity;

    @Option(names = "--port", defaultValue = "8080", description = "Port of /healthz, /readyz and /metrics.")
    int port;

    @Option(
            names = "--leader-election",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Elect a leader among replicas through a Lease (default: on).")
    boolean leaderElection;

    public static void main(String[] args) {
        System.exit(new CommandLine(new OperatorMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        var client = new KubernetesClientBuilder().build();
        var settings = new OperatorSettings(namespace, identity, port, leaderElection, true, Clock.systemUTC());
        CountDownLatch stop = new CountDownLatch(1);
        try (OperatorRuntime runtime = OperatorRuntime.start(client, settings)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "shutdown"));
            stop.await();
        } finally {
            client.close();
        }
        return 0;
    }

    /** The version from the jar's manifest (the project version), as {@code --version} prints it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = OperatorMain.class.getPackage().getImplementationVersion();
            return new String[] {"dpuoffload-operator " + (version == null ? "(development build)" : version)};
        }
    }
}
