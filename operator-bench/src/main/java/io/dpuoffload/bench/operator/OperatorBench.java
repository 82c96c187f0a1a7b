package io.dpuoffload.bench.operator;

import io.dpuoffload.api.yaml.Durations;
import io.dpuoffload.api.yaml.SpecFiles;
import io.dpuoffload.crd.NodeRoles;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.OffloadProfile;
import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.dpuoffload.crd.profile.OffloadProfileSpec;
import io.dpuoffload.crd.profile.ProfileResources;
import io.dpuoffload.crd.profile.RootFileSpec;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code operator-bench}: the operator at scale. Fabric8's mock API server and the simulated agents
 * run here; the operator runs in a JVM of its own ({@link OperatorProcess}) with its pod's memory
 * settings, so that its memory and CPU are its own. Phase one creates the pairs at once and times
 * until all are Ready; phase two changes their profile and times the rollout, which goes one pair
 * at a time.
 */
@Command(
        name = "operator-bench",
        mixinStandardHelpOptions = true,
        description = "The operator with N OffloadNodes and simulated agents against Fabric8's mock API server: time to"
                + " all Ready, reconciles per second, the operator's memory and CPU, a profile rollout. See"
                + " docs/benchmarks.md.")
public final class OperatorBench implements Callable<Integer> {
    static final String NAMESPACE = "dpu-offload";
    static final String PROFILE = "libvirt";
    /** What the Deployment gives the operator (manifests/operator.yaml), for a JVM outside a container. */
    static final String POD_JVM = "-XX:MaxRAM=256m -Xmx112m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
    /** Starting a JVM and syncing the informers on an idle mock server takes seconds. */
    private static final Duration STARTUP_BOUND = Duration.ofSeconds(60);
    /** How often the progress line is printed while a phase runs. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /** Threads creating the OffloadNodes: "at once", as `kubectl apply -f` of a directory of them would. */
    private static final int CREATORS = 8;

    @Option(
            names = "--pairs",
            defaultValue = "500",
            description = "OffloadNodes (pairs of nodes) (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(
            names = "--rollout-pairs",
            defaultValue = "50",
            description = "Pairs the profile change is timed over, one at a time (default: ${DEFAULT-VALUE}; 0 leaves"
                    + " the rollout out; the pairs' number for all).")
    int rolloutPairs;

    @Option(
            names = "--agent-threads",
            defaultValue = "16",
            description = "Threads writing the simulated agents' reports (default: ${DEFAULT-VALUE}).")
    int agentThreads;

    @Option(
            names = "--phase-timeout",
            defaultValue = "5m",
            description = "Each phase ends after this, done or not (default: ${DEFAULT-VALUE}).")
    String phaseTimeout;

    @Option(
            names = "--operator-java-opts",
            defaultValue = POD_JVM,
            description = "The operator JVM's options, split on spaces (default: the pod's 256 MiB limit with"
                    + " the JAVA_TOOL_OPTIONS of manifests/operator.yaml: ${DEFAULT-VALUE}).")
    String operatorJavaOpts;

    @Option(
            names = "--jfr",
            description = "Record the operator with Java Flight Recorder (profile settings) into this file.")
    Path jfr;

    @Option(
            names = "--leader-election",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Run the operator with leader election, as deployed (default: on).")
    boolean leaderElection;

    @Option(
            names = "--store-events",
            description = "Keep the operator's Events in the mock server; by default they are answered and counted,"
                    + " not kept: the mock looks through every object it holds for each request, and thousands of"
                    + " Events would slow all of them down, which an API server does not.")
    boolean storeEvents;

    @Option(names = "--keep", description = "Keep the work directory (kubeconfig, the operator's log).")
    boolean keep;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new OperatorBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration timeout = Durations.parse(phaseTimeout)
                .orElseThrow(() -> new CommandLine.ParameterException(
                        spec.commandLine(), "--phase-timeout: \"" + phaseTimeout + "\" is not " + Durations.FORMS));
        String home = System.getProperty("operator-bench.home");
        if (home == null) {
            throw new IllegalStateException("run me through bin/operator-bench, which says where lib/ is");
        }
        List<Path> classpath = OperatorProcess.classpath(Path.of(home));
        List<String> jvm =
                new ArrayList<>(Arrays.asList(operatorJavaOpts.strip().split("\\s+")));
        if (jfr != null) {
            jvm.add("-XX:StartFlightRecording=filename=" + jfr.toAbsolutePath() + ",settings=profile,dumponexit=true");
        }
        int rollout = Math.min(rolloutPairs, pairs);
        Path dir = Files.createTempDirectory("operator-bench");
        try (MockApiServer api = new MockApiServer(storeEvents, NAMESPACE)) {
            err.printf(
                    "mock API server at %s; creating %d Nodes and OffloadProfile %s%n", api.url(), 2 * pairs, PROFILE);
            err.flush();
            for (int i = 0; i < pairs; i++) {
                api.node(host(i), NodeRoles.HOST);
                api.node(dpu(i), NodeRoles.DPU);
            }
            OffloadProfileSpec libvirt = ProfileResources.fromProfileYaml(SpecFiles.builtIn(PROFILE));
            api.client.resource(new OffloadProfile(PROFILE, libvirt)).create();
            Path kubeconfig = api.writeKubeconfig(dir, NAMESPACE);

            try (OperatorProcess operator =
                            OperatorProcess.start(classpath, jvm, kubeconfig, NAMESPACE, leaderElection, dir);
                    AgentFleet agents = new AgentFleet(api.client, agentThreads)) {
                err.printf("operator pid %d, log %s%n", operator.pid(), operator.log());
                err.flush();
                Duration startup = operator.awaitReady(STARTUP_BOUND);
                ProcMemory idle = operator.memory();
                agents.start();

                Sample before = Sample.of(operator);
                createPairs(api);
                long done = await(
                        "Ready",
                        pairs,
                        () -> agents.tally().ready(),
                        () -> agents.tally().pinned() + " pinned",
                        operator,
                        timeout,
                        err);
                Phase ready = Sample.of(operator).since(before, "all pairs to Ready", pairs, done);

                Phase rolled = null;
                if (rollout > 0) {
                    OffloadProfileSpec changed = changed(libvirt);
                    String revision = ProfileResources.revision(PROFILE, changed);
                    Sample start = Sample.of(operator);
                    changeProfile(api, changed);
                    long updated = await(
                            "updated",
                            rollout,
                            () -> agents.tally().readyAt(revision),
                            () -> agents.tally().pinnedAt(revision) + " pinned the new revision",
                            operator,
                            timeout,
                            err);
                    rolled = Sample.of(operator).since(start, "profile rollout", rollout, updated);
                }
                OperatorBenchReport report = new OperatorBenchReport(
                        pairs,
                        agentThreads,
                        Runtime.getRuntime().availableProcessors(),
                        String.join(" ", jvm),
                        startup.toMillis() / 1000.0,
                        idle.rssMib(),
                        ready,
                        rolled,
                        agents.reports(),
                        api.counts().snapshot());
                OperatorBenchTable.render(report).forEach(out::println);
                out.println("Raw: " + report.toJson());
                out.flush();
                return ready.complete() && (rolled == null || rolled.complete()) ? 0 : 1;
            }
        } finally {
            if (keep || jfr != null) {
                err.println("work directory kept: " + dir);
            } else {
                deleteTree(dir);
            }
            err.flush();
        }
    }

    /** The OffloadNodes, all at once from a few threads, as `kubectl apply -f` of a directory would send them. */
    private void createPairs(MockApiServer api) throws InterruptedException {
        try (ExecutorService creators = Executors.newFixedThreadPool(CREATORS)) {
            for (int i = 0; i < pairs; i++) {
                int n = i;
                creators.execute(() -> api.client
                        .resource(new OffloadNode(
                                String.format(Locale.ROOT, "pair-%03d", n),
                                new OffloadNodeSpec(host(n), dpu(n), null, List.of(PROFILE), null, null)))
                        .create());
            }
        }
    }

    /** Waits until {@code count} reaches {@code wanted}; what it reached when the operator died or the time ran out. */
    private static long await(
            String what,
            int wanted,
            LongSupplier count,
            java.util.function.Supplier<String> detail,
            OperatorProcess operator,
            Duration timeout,
            PrintWriter err)
            throws InterruptedException {
        long start = System.nanoTime();
        long nextProgress = start + PROGRESS_EVERY.toNanos();
        while (count.getAsLong() < wanted) {
            long now = System.nanoTime();
            if (now - start > timeout.toNanos() || !operator.alive()) {
                err.printf(
                        "  stopped: %s; %d of %d %s%n",
                        operator.alive()
                                ? "no more time (--phase-timeout " + timeout.toSeconds() + " s)"
                                : "the operator exited",
                        count.getAsLong(),
                        wanted,
                        what);
                err.flush();
                return count.getAsLong();
            }
            if (now >= nextProgress) {
                err.printf(
                        "  %5.1f s: %d/%d %s, %s; operator RSS %.0f MiB%n",
                        (now - start) / 1e9,
                        count.getAsLong(),
                        wanted,
                        what,
                        detail.get(),
                        operator.memory().rssMib());
                err.flush();
                nextProgress += PROGRESS_EVERY.toNanos();
            }
            Thread.sleep(20);
        }
        return wanted;
    }

    /** The profile with one more root file: a new revision, which rolls out to every pair using it. */
    /**
     * Gives the profile {@code spec} as a user's {@code kubectl edit} would: read, change, write back,
     * and again when the write lost to the operator's own update of the profile (409 Conflict; the
     * operator writes the profile's status while pairs become ready).
     */
    private static void changeProfile(MockApiServer api, OffloadProfileSpec spec) {
        for (int attempt = 1; ; attempt++) {
            try {
                api.client.resources(OffloadProfile.class).withName(PROFILE).edit(p -> {
                    p.setSpec(spec);
                    return p;
                });
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != java.net.HttpURLConnection.HTTP_CONFLICT || attempt == MAX_EDIT_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** A conflict means the operator wrote in between; a few attempts are plenty. */
    private static final int MAX_EDIT_ATTEMPTS = 10;

    private static OffloadProfileSpec changed(OffloadProfileSpec spec) {
        List<RootFileSpec> files = new ArrayList<>(spec.files() == null ? List.of() : spec.files());
        files.add(new RootFileSpec("/etc/dpu-offload-bench/changed", "a change to roll out\n"));
        return spec.withFiles(files);
    }

    private static String host(int i) {
        return String.format(Locale.ROOT, "host-%03d", i);
    }

    private static String dpu(int i) {
        return String.format(Locale.ROOT, "dpu-%03d", i);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
