package io.dpuoffload.cli.fs.bench;

import io.dpuoffload.topology.Node;
import io.dpuoffload.topology.Topology;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code fs bench} sets up and must take down: the working directory (certificates, ssh keys, configs, mount
 * points) and the host/DPU topology. {@link #tearDown()} ends every node process (each unmounts and stops its children
 * on SIGTERM; anything left dies with its PID and mount namespaces), deletes the namespaces, then the directory. A
 * shutdown hook does the same on Ctrl-C or SIGTERM.
 */
final class BenchStage {

    private final BenchLayout layout;
    private final Topology topology;
    private final PrintWriter err;
    private final Thread interruptHook;
    private List<String> cleanup;

    private BenchStage(BenchLayout layout, Topology topology, PrintWriter err) {
        this.layout = layout;
        this.topology = topology;
        this.err = err;
        this.interruptHook = new Thread(this::tearDownOnInterrupt, "fs-bench-cleanup");
    }

    /** The directory with everything the nodes need, then the topology. */
    static BenchStage create(PrintWriter err) {
        BenchLayout layout = BenchLayout.create();
        Topology topology;
        try {
            OffloadFsSetup.prepare(layout);
            SshSetup.prepare(layout);
            topology = Topology.create();
        } catch (RuntimeException e) {
            layout.delete();
            throw e;
        }
        BenchStage stage = new BenchStage(layout, topology, err);
        Runtime.getRuntime().addShutdownHook(stage.interruptHook);
        return stage;
    }

    BenchLayout layout() {
        return layout;
    }

    Topology topology() {
        return topology;
    }

    /** Stops the node processes, deletes the namespaces and the directory; one line per step. Idempotent. */
    synchronized List<String> tearDown() {
        if (cleanup != null) {
            return cleanup;
        }
        List<String> done = new ArrayList<>();
        boolean topologyClosed = false;
        try {
            topology.close();
            topologyClosed = true;
            done.add("stopped the node processes (each unmounted its file systems and stopped sshd, sshfs, fs serve"
                    + " and fs mount by pid)");
            done.add("deleted network namespaces "
                    + String.join(
                            " and ",
                            topology.nodes().stream().map(Node::namespace).toList()));
        } catch (RuntimeException e) {
            done.add("FAILED to remove the topology: " + e.getMessage());
        }
        if (topologyClosed) {
            try {
                layout.delete();
                done.add("removed " + layout.root());
            } catch (RuntimeException e) {
                done.add("FAILED to remove " + layout.root() + ": " + e.getMessage());
            }
        } else {
            done.add("kept " + layout.root() + " (a node process may still use it)");
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
        err.println("offloadctl: interrupted; cleaned up: " + String.join("; ", tearDown()) + ".");
        err.flush();
    }
}
