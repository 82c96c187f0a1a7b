package io.dpuoffload.api.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A host and its DPU, for the standalone mode ({@code offloadctl agent --config pair.yaml}); the
 * same description the operator derives from its custom resources.
 *
 * <pre>
 * pair: rack3-node7
 * host: {node: host-1, endpoint: tcp://198.51.100.1:7400, keepRunsFor: 10m, resumeWithin: 60s, bridges: [br0]}
 * dpu: {node: dpu-1, root: /run/dpu-offload/root, state: /run/dpu-offload/agent}
 * pki: /etc/dpu-offload/pki
 * profiles: [libvirt]                      # built-in names or profile files
 * </pre>
 *
 * @param pair the pair's name (in logs and status)
 * @param pki the directory with ca.crt and each node's certificate and key
 * @param profiles what runs in the root: built-in profiles by name, or profile files by path
 */
public record Pair(String pair, Host host, Dpu dpu, Path pki, List<String> profiles) {
    public static final Path DEFAULT_PKI = Path.of("/etc/dpu-offload/pki");

    public Pair {
        pki = pki == null ? DEFAULT_PKI : pki;
        profiles = Lists.orEmpty(profiles);
    }

    /**
     * The host.
     *
     * @param node its node name (its certificate's name)
     * @param endpoint where the host agent listens for its DPU, e.g. tcp://198.51.100.1:7400
     * @param keepRunsFor how long the host keeps the programs it runs for the DPU (a VM's QEMU)
     *     while the DPU agent is away (restarting, upgraded, cut off), for the next agent to take
     *     them back; default 10m
     * @param resumeWithin how long what a lost channel leaves open waits for it to come back — the
     *     daemons' carried connections (both sockets open) and the shares' sessions (their open
     *     files) — before it ends; default 60s, 0s: it ends with the channel
     * @param state where the host agent keeps its pid and status ({@code offloadctl agent status
     *     --role host}); default /run/dpu-offload/host-agent
     * @param bridges the host's bridges that the DPU's VM interfaces may join (a VM's NIC on a
     *     bridge of that name on the DPU becomes a port of the host's); none by default
     */
    public record Host(
            String node,
            String endpoint,
            Duration keepRunsFor,
            Duration resumeWithin,
            Path state,
            List<String> bridges) {
        public static final Path DEFAULT_STATE = Path.of("/run/dpu-offload/host-agent");
        public static final Duration DEFAULT_KEEP_RUNS_FOR = Duration.ofMinutes(10);
        /** As offload-ipc's and offload-fs's own default: a flapping link or a reconnect costs nothing. */
        public static final Duration DEFAULT_RESUME_WITHIN = Duration.ofSeconds(60);

        public Host {
            keepRunsFor = keepRunsFor == null ? DEFAULT_KEEP_RUNS_FOR : keepRunsFor;
            resumeWithin = resumeWithin == null ? DEFAULT_RESUME_WITHIN : resumeWithin;
            state = state == null ? DEFAULT_STATE : state;
            bridges = Lists.orEmpty(bridges);
        }

        public Host(String node, String endpoint, Duration keepRunsFor) {
            this(node, endpoint, keepRunsFor, null, null, null);
        }
    }

    /**
     * The DPU.
     *
     * @param node its node name
     * @param root where the offload root is built; default /run/dpu-offload/root
     * @param state where the agent keeps its shims, gateway socket and status; default
     *     /run/dpu-offload/agent
     */
    public record Dpu(String node, Path root, Path state) {
        public static final Path DEFAULT_ROOT = Path.of("/run/dpu-offload/root");
        public static final Path DEFAULT_STATE = Path.of("/run/dpu-offload/agent");

        public Dpu {
            root = root == null ? DEFAULT_ROOT : root;
            state = state == null ? DEFAULT_STATE : state;
        }
    }
}
