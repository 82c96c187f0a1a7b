package io.dpuoffload.cli.channel;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.topology.Node;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The stage of {@code channel demo} and of the transport benchmark ({@code offload-bench transport}): throwaway certificates and a host/DPU topology (two
 * network namespaces joined by a veth pair), with offloadctl started on its nodes. {@link #close()} stops every
 * process, deletes the namespaces and the certificates (unless asked to keep them); a shutdown hook does the same
 * when the run is interrupted (Ctrl-C, SIGTERM).
 *
 * <p>This JVM never connects to a node: it only starts processes there, and they talk to each other.
 */
public final class Testbed implements AutoCloseable {

    /** Each node has its own network namespace, so fixed ports cannot collide with anything else on the machine. */
    static final int CHANNEL_PORT = 7000;

    public static final int BASELINE_PORT = 7001;

    /** A JVM, Netty and the TLS files on a 2-core machine take 1-3 s; ten times that means it is stuck. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Netty's epoll transport calls native code; without the first option each JVM prints a warning. Each node JVM is
     * pid 1 of its PID namespace, and /tmp is shared: without the second, they would all fight over
     * /tmp/hsperfdata_root/1 (and say so on stderr).
     */
    static final List<String> JVM_ARGS = List.of("--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData");

    private final DemoPki pki;
    private final boolean keepPki;
    private final Topology topology;
    private final PrintWriter err;
    private final List<NodeProcess> started = new ArrayList<>();
    private final Thread interruptHook;
    private List<String> cleanup;

    private Testbed(DemoPki pki, boolean keepPki, Topology topology, PrintWriter err) {
        this.pki = pki;
        this.keepPki = keepPki;
        this.topology = topology;
        this.err = err;
        this.interruptHook = new Thread(this::closeOnInterrupt, "testbed-cleanup");
    }

    /** Certificates in {@code keepPki} (kept) or in a temporary directory (deleted), then the topology. */
    public static Testbed create(Optional<Path> keepPki, PrintWriter err) {
        DemoPki pki = keepPki.map(DemoPki::create).orElseGet(DemoPki::createTemporary);
        Topology topology;
        try {
            topology = Topology.create();
        } catch (RuntimeException e) {
            if (keepPki.isEmpty()) {
                pki.delete();
            }
            throw e;
        }
        Testbed testbed = new Testbed(pki, keepPki.isPresent(), topology, err);
        Runtime.getRuntime().addShutdownHook(testbed.interruptHook);
        return testbed;
    }

    public DemoPki pki() {
        return pki;
    }

    public Topology topology() {
        return topology;
    }

    /** The host's channel endpoint, as the DPU dials it. */
    public static String channelEndpoint() {
        return "tcp://" + Topology.HOST_ADDRESS + ":" + CHANNEL_PORT;
    }

    /** Starts {@code offloadctl ARGS} on {@code node}, in a JVM like this one. */
    NodeProcess offloadctl(Node node, List<String> args) {
        return startJava(node, Offloadctl.class.getName(), args);
    }

    /** Starts {@code mainClass ARGS} on {@code node}, in a JVM like this one; stopped and reported by {@link #close}. */
    public NodeProcess startJava(Node node, String mainClass, List<String> args) {
        NodeProcess process = node.startJava(mainClass, JVM_ARGS, args);
        synchronized (started) {
            started.add(process);
        }
        return process;
    }

    /** {@code channel serve} as host-1 on the host node, accepting only dpu-1; returns once it printed READY. */
    public NodeProcess serve(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of(
                "channel",
                "serve",
                "--listen",
                channelEndpoint(),
                "--pki",
                pki.directory().toString(),
                "--node",
                DemoPki.HOST,
                "--expect-peer",
                DemoPki.DPU));
        args.addAll(List.of(extraArgs));
        NodeProcess serve = offloadctl(topology.host(), args);
        serve.awaitLine(Pattern.compile("^" + ServeCommand.READY + " "), READY_TIMEOUT);
        return serve;
    }

    /** The options that make a node process dpu-1 talking to host-1 with the demo's certificates. */
    public List<String> dpuIdentity() {
        return List.of("--pki", pki.directory().toString(), "--node", DemoPki.DPU, "--expect-peer", DemoPki.HOST);
    }

    /**
     * Stops every process, deletes the namespaces and the certificates; returns what it did, one line each. Idempotent.
     */
    public synchronized List<String> tearDown() {
        if (cleanup != null) {
            return cleanup;
        }
        List<NodeProcess> processes;
        synchronized (started) {
            processes = List.copyOf(started);
        }
        List<String> done = new ArrayList<>();
        RuntimeException failure = null;
        try {
            topology.close();
            done.add("stopped " + processes.size() + " process(es) (pids "
                    + String.join(
                            ", ",
                            processes.stream()
                                    .map(p -> Long.toString(safePid(p)))
                                    .toList()) + ")");
            done.add("deleted network namespaces "
                    + String.join(
                            " and ",
                            topology.nodes().stream().map(Node::namespace).toList())
                    + " (and the veth pair with them)");
        } catch (RuntimeException e) {
            failure = e;
            done.add("FAILED to remove the topology: " + e.getMessage());
        }
        if (keepPki) {
            done.add("kept the certificates in " + pki.directory());
        } else {
            try {
                pki.delete();
                done.add("removed the certificates in " + pki.directory());
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
                done.add("FAILED to remove " + pki.directory() + ": " + e.getMessage());
            }
        }
        cleanup = List.copyOf(done);
        try {
            Runtime.getRuntime().removeShutdownHook(interruptHook);
        } catch (IllegalStateException shuttingDown) {
            // Called from the hook itself, or while the JVM exits: nothing left to unregister.
        }
        if (failure != null) {
            throw new IllegalStateException(String.join("; ", done), failure);
        }
        return cleanup;
    }

    @Override
    public void close() {
        tearDown();
    }

    private void closeOnInterrupt() {
        List<String> done;
        try {
            done = tearDown();
        } catch (RuntimeException e) {
            done = List.of(e.getMessage());
        }
        err.println("offloadctl: interrupted; cleaned up: " + String.join("; ", done));
        err.flush();
    }

    private static long safePid(NodeProcess process) {
        try {
            return process.pid();
        } catch (IllegalStateException e) {
            return -1;
        }
    }
}
