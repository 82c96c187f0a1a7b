package io.dpuoffload.topology;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One side of the topology, {@code host} or {@code dpu}: a network namespace with one veth end at {@link #address()}.
 * Every process started here gets, besides the node's network namespace, its own mount namespace (private propagation,
 * so its mounts stay its own) and its own PID namespace with /proc remounted (it is pid 1 and sees only its own
 * descendants).
 */
public final class Node {

    /** Name of the veth end inside each node's namespace; the same on both sides, as each has its own. */
    public static final String INTERFACE = "eth0";

    private final Topology topology;
    private final String name;
    private final String address;
    private final String namespace;

    Node(Topology topology, String name, String address, String namespace) {
        this.topology = topology;
        this.name = name;
        this.address = address;
        this.namespace = namespace;
    }

    /** {@code host} or {@code dpu}. */
    public String name() {
        return name;
    }

    /** This node's IPv4 address on the veth, e.g. {@code 198.51.100.1}; reachable from the other node only. */
    public String address() {
        return address;
    }

    /** The network namespace's name, as {@code ip netns list} shows it. */
    public String namespace() {
        return namespace;
    }

    public Topology topology() {
        return topology;
    }

    public NodeProcess start(List<String> command) {
        return start(command, StartOptions.defaults());
    }

    public NodeProcess start(List<String> command, StartOptions options) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        return start(Path.of(command.getFirst()).getFileName().toString(), command, options);
    }

    /**
     * Starts {@code mainClass} in a new JVM on this node, with this JVM's {@code java} and class path (so test classes
     * and the project's modules are there).
     */
    public NodeProcess startJava(String mainClass, List<String> jvmArgs, List<String> args) {
        return startJava(mainClass, jvmArgs, args, StartOptions.defaults());
    }

    public NodeProcess startJava(String mainClass, List<String> jvmArgs, List<String> args, StartOptions options) {
        String simpleName = mainClass.substring(mainClass.lastIndexOf('.') + 1);
        return start(simpleName, javaCommand(mainClass, jvmArgs, args), options);
    }

    public NodeProcess startJava(Class<?> mainClass, List<String> jvmArgs, List<String> args) {
        return startJava(mainClass.getName(), jvmArgs, args, StartOptions.defaults());
    }

    /** Runs a command to its end with stdin closed; throws with its output if it takes longer than {@code timeout}. */
    public CommandResult run(Duration timeout, String... command) {
        return run(timeout, List.of(command), StartOptions.defaults());
    }

    public CommandResult run(Duration timeout, List<String> command, StartOptions options) {
        return runToEnd(start(command, options), timeout);
    }

    /** Runs {@code command} in the network, mount and PID namespaces of {@code target}, a process on this node. */
    CommandResult runInside(NodeProcess target, Duration timeout, List<String> command) {
        String processName = Path.of(command.getFirst()).getFileName() + "@" + target.pid();
        return runToEnd(launch(processName, command, insideLine(target, command), StartOptions.defaults()), timeout);
    }

    /**
     * Starts {@code command} in the network, mount and PID namespaces of {@code target}, to run beside it: it is no
     * init there, so it may end (or be stopped) and start again while {@code target}'s namespaces, and the other
     * processes in them, stay.
     */
    NodeProcess startInside(NodeProcess target, List<String> command, StartOptions options) {
        String processName = Path.of(command.getFirst()).getFileName() + "@" + target.pid();
        return launch(processName, command, insideLine(target, command), options);
    }

    private static List<String> insideLine(NodeProcess target, List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        List<String> line = new ArrayList<>(List.of(
                Prerequisites.require("setpriv"),
                "--pdeathsig",
                "KILL",
                "--",
                Prerequisites.require("nsenter"),
                "--target",
                Long.toString(target.pid()),
                "--net",
                "--mount",
                "--pid",
                "--"));
        line.addAll(command);
        return line;
    }

    private CommandResult runToEnd(NodeProcess process, Duration timeout) {
        try {
            process.stdin().close();
        } catch (IOException e) {
            // It ended already, or never reads stdin: either way it will not wait for input.
        }
        if (!process.awaitExit(timeout)) {
            String tail = process.outputTail();
            process.stop();
            throw new TopologyException("`" + String.join(" ", process.command()) + "` on " + name
                    + " did not finish within " + timeout + " and was killed; output so far:\n" + tail);
        }
        int exitCode = process.waitFor(Duration.ZERO);
        return new CommandResult(process.command(), exitCode, process.stdout(), process.stderr());
    }

    private NodeProcess start(String processName, List<String> command, StartOptions options) {
        return launch(processName, command, wrap(namespace, command), options);
    }

    private NodeProcess launch(String processName, List<String> command, List<String> line, StartOptions options) {
        ProcessBuilder builder = new ProcessBuilder(line);
        builder.environment().putAll(options.environment());
        options.workingDirectory().map(Path::toFile).ifPresent(builder::directory);
        return topology.track(() -> {
            Process launcher;
            try {
                launcher = Launcher.start(builder);
            } catch (IOException e) {
                throw new TopologyException(
                        "cannot start `" + String.join(" ", command) + "` on " + name + ": " + e.getMessage(), e);
            }
            try {
                return new NodeProcess(this, processName, command, launcher, options.stopGrace());
            } catch (RuntimeException e) {
                launcher.destroyForcibly();
                throw e;
            }
        });
    }

    /**
     * The launcher command line: in the node's network namespace ({@code ip netns exec}, which execs, not forks), a
     * new private mount namespace and a new PID namespace whose init is the command ({@code unshare --fork}, which
     * waits for it and returns its status). {@code --kill-child} kills the command when {@code unshare} dies; {@code
     * setpriv --pdeathsig KILL} kills {@code unshare} when this JVM dies (see {@link Launcher}).
     */
    static List<String> wrap(String namespace, List<String> command) {
        List<String> line = new ArrayList<>(List.of(
                Prerequisites.require("setpriv"),
                "--pdeathsig",
                "KILL",
                "--",
                Prerequisites.require("ip"),
                "netns",
                "exec",
                namespace,
                Prerequisites.require("unshare"),
                "--mount",
                "--propagation",
                "private",
                "--pid",
                "--fork",
                "--kill-child",
                "--mount-proc",
                "--"));
        line.addAll(command);
        return line;
    }

    /** The command line that runs {@code mainClass} with this JVM and class path (for wrapping in a parent of the test's choosing). */
    public static List<String> javaCommand(String mainClass, List<String> jvmArgs, List<String> args) {
        List<String> line = new ArrayList<>();
        line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        line.addAll(jvmArgs);
        String classPath = System.getProperty("java.class.path", "");
        if (!classPath.isEmpty()) {
            line.add("-cp");
            // Absolute, so a working directory given in the start options cannot break it.
            line.add(Arrays.stream(classPath.split(File.pathSeparator))
                    .filter(entry -> !entry.isEmpty())
                    .map(entry -> Path.of(entry).toAbsolutePath().toString())
                    .collect(Collectors.joining(File.pathSeparator)));
        }
        line.add(mainClass);
        line.addAll(args);
        return line;
    }

    @Override
    public String toString() {
        return name + " " + address + " (netns " + namespace + ")";
    }
}
