package io.dpuoffload.bench;

import io.dpuoffload.cli.WorkDirectory;
import io.dpuoffload.topology.Node;
import io.dpuoffload.topology.Topology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a benchmark sets up and must take down: its working directory (see {@link WorkDirectory}) and the host/DPU
 * topology. {@link #tearDown()} ends every node process (each stops its children by pid on SIGTERM; anything left dies
 * with its PID and mount namespaces), deletes the namespaces, then the directory. A shutdown hook does the same on
 * Ctrl-C or SIGTERM.
 */
public final class BenchStage {

    private final Path root;
    private final Topology topology;
    private final String stopped;
    private final PrintWriter err;
    private final Thread interruptHook;
    private List<String> cleanup;

    private BenchStage(Path root, Topology topology, String stopped, PrintWriter err) {
        this.root = root;
        this.topology = topology;
        this.stopped = stopped;
        this.err = err;
        this.interruptHook = new Thread(this::tearDownOnInterrupt, "bench-cleanup");
    }

    /**
     * A working directory named {@code prefix...} filled by {@code prepare}, then the topology.
     *
     * @param stopped what stopping the node processes does, for the clean-up report ("each stopped socat ... by pid")
     */
    public static BenchStage create(String prefix, Consumer<Path> prepare, String stopped, PrintWriter err) {
        Path root = WorkDirectory.create(prefix);
        Topology topology;
        try {
            prepare.accept(root);
            topology = Topology.create();
        } catch (RuntimeException e) {
            WorkDirectory.delete(root);
            throw e;
        }
        BenchStage stage = new BenchStage(root, topology, stopped, err);
        Runtime.getRuntime().addShutdownHook(stage.interruptHook);
        return stage;
    }

    public Path root() {
        return root;
    }

    public Topology topology() {
        return topology;
    }

    /** Stops the node processes, deletes the namespaces and the directory; one line per step. Idempotent. */
    public synchronized List<String> tearDown() {
        if (cleanup != null) {
            return cleanup;
        }
        List<String> done = new ArrayList<>();
        boolean topologyClosed = false;
        try {
            topology.close();
            topologyClosed = true;
            done.add("stopped the node processes (" + stopped + ")");
            done.add("deleted network namespaces "
                    + String.join(
                            " and ",
                            topology.nodes().stream().map(Node::namespace).toList()));
        } catch (RuntimeException e) {
            done.add("FAILED to remove the topology: " + e.getMessage());
        }
        if (topologyClosed) {
            try {
                WorkDirectory.delete(root);
                done.add("removed " + root);
            } catch (RuntimeException e) {
                done.add("FAILED to remove " + root + ": " + e.getMessage());
            }
        } else {
            done.add("kept " + root + " (a node process may still use it)");
        }
        cleanup = List.copyOf(done);
        try {
            Runtime.getRuntime().removeShutdownHook(interruptHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself, or while the JVM exits
        }
        return cleanup;
    }

    private void tearDownOnInterrupt() {
        err.println("offload-bench: interrupted; cleaned up: " + String.join("; ", tearDown()) + ".");
        err.flush();
    }
}
