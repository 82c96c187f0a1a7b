package io.dpuoffload.topology;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two nodes, {@code host} and {@code dpu}, on one machine: two network namespaces joined by a veth pair on
 * 198.51.100.0/24, host at .1 and DPU at .2, neither end in the root namespace. Processes are started on a {@link Node};
 * {@link #close()} ends all of them and deletes both namespaces.
 *
 * <p>Backstops for runs that end badly: a JVM shutdown hook closes whatever is still open; node processes die with
 * the JVM even when it is SIGKILLed (see {@link Launcher}); and {@link #create()} deletes namespaces left by JVMs that
 * are no longer alive.
 */
public final class Topology implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Topology.class);

    /** Documentation range (RFC 5737), routed nowhere: test traffic cannot leave the machine by mistake. */
    public static final String SUBNET = "198.51.100.0/24";

    public static final String HOST_ADDRESS = "198.51.100.1";
    public static final String DPU_ADDRESS = "198.51.100.2";
    static final int PREFIX_LENGTH = 24;

    /** After SIGKILL a namespace empties at once; this bounds the wait before deleting it anyway. */
    private static final int EMPTY_NAMESPACE_ATTEMPTS = 100;

    private static final long EMPTY_NAMESPACE_POLL_MILLIS = 20;

    private static final long SELF_PID = ProcessHandle.current().pid();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** Serialises creation and the sweep of leftovers, so the sweep never sees a namespace half made. */
    private static final Object CREATE_LOCK = new Object();
    /** Namespaces this JVM made and has not deleted yet: the sweep leaves them alone even though their pid is ours. */
    private static final Set<String> OWN_NAMESPACES = ConcurrentHashMap.newKeySet();

    private static final Set<Topology> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK_INSTALLED = new AtomicBoolean();

    private final String id;
    private final Node host;
    private final Node dpu;
    private final Set<NodeProcess> processes = new HashSet<>();
    private boolean closed;

    private Topology(String id) {
        this.id = id;
        this.host = new Node(this, "host", HOST_ADDRESS, NamespaceNames.namespace(id, "host"));
        this.dpu = new Node(this, "dpu", DPU_ADDRESS, NamespaceNames.namespace(id, "dpu"));
    }

    /** Makes both namespaces and the veth between them; throws with the reason when the machine cannot. */
    public static Topology create() {
        List<String> missing = Prerequisites.missing();
        if (!missing.isEmpty()) {
            throw new TopologyException("cannot create the host/DPU topology: " + Prerequisites.explain(missing));
        }
        installShutdownHook();
        synchronized (CREATE_LOCK) {
            removeLeftovers();
            Topology topology = new Topology(NamespaceNames.topologyId(SELF_PID, COUNTER.incrementAndGet()));
            OPEN.add(topology);
            try {
                topology.build();
            } catch (RuntimeException e) {
                try {
                    topology.close();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            log.info(
                    "topology {} up: host {} (netns {}) <-> dpu {} (netns {})",
                    topology.id,
                    HOST_ADDRESS,
                    topology.host.namespace(),
                    DPU_ADDRESS,
                    topology.dpu.namespace());
            return topology;
        }
    }

    private void build() {
        for (Node node : nodes()) {
            OWN_NAMESPACES.add(node.namespace());
            IpNetns.add(node.namespace());
        }
        // Created inside the host namespace with its peer moved straight into the DPU's: neither end ever exists in
        // the root namespace.
        IpNetns.inNamespace(
                host.namespace(),
                "link",
                "add",
                Node.INTERFACE,
                "type",
                "veth",
                "peer",
                "name",
                Node.INTERFACE,
                "netns",
                dpu.namespace());
        for (Node node : nodes()) {
            IpNetns.inNamespace(node.namespace(), "link", "set", "lo", "up");
            IpNetns.inNamespace(
                    node.namespace(), "addr", "add", node.address() + "/" + PREFIX_LENGTH, "dev", Node.INTERFACE);
            IpNetns.inNamespace(node.namespace(), "link", "set", Node.INTERFACE, "up");
        }
    }

    /** Like {@code dpuo-4711-3}: unique among the topologies alive on this machine. */
    public String id() {
        return id;
    }

    public Node host() {
        return host;
    }

    public Node dpu() {
        return dpu;
    }

    public List<Node> nodes() {
        return List.of(host, dpu);
    }

    /** Registers a process being started, unless this topology is closed (then nothing is started). */
    NodeProcess track(Supplier<NodeProcess> starter) {
        synchronized (processes) {
            if (closed) {
                throw new IllegalStateException("topology " + id + " is closed");
            }
        }
        NodeProcess process = starter.get();
        synchronized (processes) {
            if (!closed) {
                processes.removeIf(p -> !p.isAlive());
                processes.add(process);
                return process;
            }
        }
        process.stop();
        throw new IllegalStateException("topology " + id + " was closed while starting " + process);
    }

    /**
     * Ends every process started on the nodes (SIGTERM, SIGKILL after a grace period), kills anything else still in
     * the namespaces, and deletes both (the veth goes with them). Idempotent. Throws after doing all it can if some
     * step failed.
     */
    @Override
    public void close() {
        List<NodeProcess> toStop;
        synchronized (processes) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = processes.stream().filter(NodeProcess::isAlive).toList();
            processes.clear();
        }
        List<Throwable> failures = new ArrayList<>();
        try (ExecutorService stoppers =
                Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory())) {
            List<Future<?>> stops = new ArrayList<>();
            for (NodeProcess process : toStop) {
                stops.add(stoppers.submit(process::stop));
            }
            for (Future<?> stop : stops) {
                try {
                    stop.get();
                } catch (Exception e) {
                    failures.add(e.getCause() != null ? e.getCause() : e);
                }
            }
        }
        for (Node node : nodes()) {
            if (!OWN_NAMESPACES.contains(node.namespace())) {
                continue;
            }
            try {
                if (IpNetns.list().contains(node.namespace())) {
                    emptyNamespace(node.namespace(), "topology " + id + " closing");
                    IpNetns.delete(node.namespace());
                }
                OWN_NAMESPACES.remove(node.namespace());
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        OPEN.remove(this);
        if (failures.isEmpty()) {
            log.info("topology {} closed: {} process(es) stopped, namespaces deleted", id, toStop.size());
            return;
        }
        TopologyException failure = new TopologyException("closing topology " + id + " failed: " + failures);
        failures.forEach(failure::addSuppressed);
        throw failure;
    }

    /**
     * SIGKILLs every process left in {@code namespace} (started some other way than {@link Node#start}, or left by a
     * dead JVM): a network namespace outlives its name while a process is in it.
     */
    private static void emptyNamespace(String namespace, String why) {
        for (int attempt = 0; attempt < EMPTY_NAMESPACE_ATTEMPTS; attempt++) {
            List<ProcessHandle> left = IpNetns.pids(namespace).stream()
                    .flatMap(pid -> ProcessHandle.of(pid).stream())
                    .filter(p -> !ProcFs.isGone(p))
                    .toList();
            if (left.isEmpty()) {
                return;
            }
            for (ProcessHandle process : left) {
                if (attempt == 0) {
                    log.warn(
                            "{}: killing pid {} ({}) still in netns {}",
                            why,
                            process.pid(),
                            process.info().commandLine().orElse("?"),
                            namespace);
                }
                process.destroyForcibly();
            }
            try {
                Thread.sleep(EMPTY_NAMESPACE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TopologyException("interrupted while emptying netns " + namespace, e);
            }
        }
        throw new TopologyException("netns " + namespace + " still has processes " + IpNetns.pids(namespace));
    }

    /**
     * Deletes namespaces named by this class whose JVM is gone, and any of this JVM's pid that it did not make (a
     * crashed JVM that had the same pid).
     */
    private static void removeLeftovers() {
        for (String namespace : IpNetns.list()) {
            OptionalLong owner = NamespaceNames.ownerPid(namespace);
            if (owner.isEmpty() || OWN_NAMESPACES.contains(namespace)) {
                continue;
            }
            boolean stale = owner.getAsLong() == SELF_PID
                    || ProcessHandle.of(owner.getAsLong()).isEmpty();
            if (!stale) {
                continue;
            }
            log.warn("removing netns {} left by pid {}, which is no longer running", namespace, owner.getAsLong());
            try {
                emptyNamespace(namespace, "leftover netns " + namespace);
                IpNetns.delete(namespace);
            } catch (TopologyException e) {
                log.warn("could not remove leftover netns {}: {}", namespace, e.getMessage());
            }
        }
    }

    private static void installShutdownHook() {
        if (HOOK_INSTALLED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(Topology::closeAllOpen, "dpuo-topology-shutdown"));
        }
    }

    private static void closeAllOpen() {
        for (Topology topology : List.copyOf(OPEN)) {
            log.warn("JVM exiting with topology {} open; closing it", topology.id);
            try {
                topology.close();
            } catch (RuntimeException e) {
                log.warn("closing topology {} at JVM exit failed: {}", topology.id, e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "topology " + id + " [" + host + " <-> " + dpu + "]";
    }
}
