package io.dpuoffload.cli.agent;

import io.dpuoffload.agent.kube.AgentSettings;
import io.dpuoffload.agent.kube.KubernetesAgent;
import io.dpuoffload.api.spec.Pair;
import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.cli.StopSignal;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl agent kubernetes --node NODE}: the agent as the DaemonSet runs it, its pair and
 * profiles from the OffloadNodes (see docs/node-agent.md, "Kubernetes mode").
 */
@Command(
        name = "kubernetes",
        mixinStandardHelpOptions = true,
        description = {
            "Run this node's agent in Kubernetes mode, in the foreground: watch the OffloadNodes that name",
            "this node as their host or DPU, run that side with the profiles the operator pinned in their",
            "status, report it in status.host or status.dpu, and take it down when the OffloadNode is",
            "deleted. Prints 'READY'; SIGTERM or Ctrl-C takes everything down."
        })
public final class AgentKubernetesCommand implements Callable<Integer> {
    /** The default of --state: beside the standalone agent's, not in it. */
    static final String DEFAULT_STATE = "/run/dpu-offload/agent-k8s";

    /**
     * Bounds the teardown on SIGTERM: the agent may first finish starting a side (a daemon's
     * readiness may take a minute), then stops it (10 s per daemon). The DaemonSet's
     * terminationGracePeriodSeconds should be at least this.
     */
    private static final Duration STOP_GRACE = Duration.ofSeconds(150);

    @Option(
            names = "--node",
            paramLabel = "NODE",
            defaultValue = "${env:NODE_NAME}",
            description = "This node's name (default: $NODE_NAME, from the downward API's spec.nodeName).")
    String node;

    @Option(
            names = "--namespace",
            paramLabel = "NAMESPACE",
            defaultValue = "${env:POD_NAMESPACE}",
            description = "Where the node's Secret is, the operator's namespace (default: $POD_NAMESPACE, else the"
                    + " kubeconfig's).")
    String namespace;

    @Option(
            names = "--kubeconfig",
            paramLabel = "FILE",
            description = "The API server and credentials (default: the pod's service account, else ~/.kube/config).")
    Path kubeconfig;

    @Option(
            names = "--state",
            paramLabel = "DIR",
            defaultValue = DEFAULT_STATE,
            description = "Where the agent writes the certificates from its Secret. Default: ${DEFAULT-VALUE}.")
    Path state;

    @Option(
            names = "--advertise",
            paramLabel = "ADDRESS",
            defaultValue = "${env:HOST_IP}",
            description = "The host's address the DPU dials, reported in status.host (default: $HOST_IP, from the"
                    + " downward API's status.hostIP).")
    String advertise;

    @Option(
            names = "--root",
            paramLabel = "DIR",
            description = "Where the DPU side builds the offload root. Default: the standalone agent's, "
                    + "/run/dpu-offload/root.")
    Path root = Pair.Dpu.DEFAULT_ROOT;

    @Option(
            names = "--dpu-state",
            paramLabel = "DIR",
            description = "The DPU side's state directory (what 'agent status' reads). Default: the standalone"
                    + " agent's, /run/dpu-offload/agent.")
    Path dpuState = Pair.Dpu.DEFAULT_STATE;

    @Option(
            names = "--host-state",
            paramLabel = "DIR",
            description = "The host side's state directory, its pid and status (what 'agent status --role host'"
                    + " reads). Default: the standalone agent's, /run/dpu-offload/host-agent.")
    Path hostState = Pair.Host.DEFAULT_STATE;

    @Option(
            names = "--node-root",
            paramLabel = "DIR",
            description = "Where this agent sees the node's / (the DaemonSet mounts it at /host). The DPU's"
                    + " daemons and the host's programs are the node's, from there; the host's served"
                    + " directories are shown at their own paths. Default: /, the agent runs on the node itself.")
    Path nodeRoot = Path.of("/");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (node == null || node.isBlank()) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "agent kubernetes needs --node NODE (or NODE_NAME)");
        }
        if (!nodeRoot.isAbsolute()) {
            throw new BadInputException("--node-root must be an absolute path: " + nodeRoot);
        }
        AgentSettings settings = new AgentSettings(
                node,
                agentName(),
                blankToNull(namespace),
                state,
                blankToNull(advertise),
                root,
                dpuState,
                nodeRoot,
                hostState);
        StopSignal stop = new StopSignal(STOP_GRACE);
        try {
            KubernetesAgent agent;
            try {
                agent = KubernetesAgent.connect(kubeconfig, settings);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(e.getMessage());
            }
            try (agent) {
                spec.commandLine().getOut().println("READY node " + node);
                spec.commandLine().getOut().flush();
                stop.await();
            }
        } finally {
            stop.done();
        }
        return ExitCodes.OK;
    }

    /** The pod and the release, as reports name their agent: {@code dpuo-agent-x7k2p 0.1.0}. */
    private static String agentName() {
        String pod = System.getenv("POD_NAME");
        if (pod == null || pod.isBlank()) {
            try {
                pod = InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                pod = "agent";
            }
        }
        String release = Offloadctl.class.getPackage().getImplementationVersion();
        return pod + " " + (release == null ? "development" : release);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
