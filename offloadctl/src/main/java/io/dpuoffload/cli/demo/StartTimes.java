package io.dpuoffload.cli.demo;

import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How long {@code virsh start} takes for the offloaded libvirtd (on the DPU, QEMU on the host)
 * against a libvirtd of the host's own starting the same VM: each side started and destroyed
 * {@code runs} times after one untimed start, timed from virsh's start to its exit (libvirt
 * answers once QEMU runs the guest).
 */
final class StartTimes {
    private static final Duration COMMAND = Duration.ofSeconds(120);

    /** Medians and minimums, in milliseconds. */
    record Result(double offloadedMedian, double offloadedMin, double localMedian, double localMin) {
        double ratio() {
            return offloadedMedian / localMedian;
        }
    }

    private StartTimes() {}

    /**
     * @param offloaded runs virsh with these arguments against the offloaded libvirtd
     * @param local runs virsh with these arguments against the host's own libvirtd
     */
    static Result measure(
            int runs,
            String offloadedDomain,
            Function<List<String>, CommandResult> offloaded,
            String localDomain,
            Function<List<String>, CommandResult> local) {
        List<Double> there = times(runs, offloadedDomain, offloaded);
        List<Double> here = times(runs, localDomain, local);
        return new Result(median(there), there.getFirst(), median(here), here.getFirst());
    }

    /** Sorted start times; the domain is defined and shut off before and after. */
    private static List<Double> times(int runs, String domain, Function<List<String>, CommandResult> virsh) {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i <= runs; i++) {
            long start = System.nanoTime();
            check(virsh.apply(List.of("start", domain)), "start");
            double took = (System.nanoTime() - start) / 1e6;
            check(virsh.apply(List.of("destroy", domain)), "destroy");
            if (i > 0) {
                millis.add(took); // the first start warms caches (capabilities, page cache) on both sides alike
            }
        }
        millis.sort(Double::compare);
        return millis;
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void check(CommandResult result, String what) {
        if (result.exitCode() != 0) {
            throw new IllegalStateException(
                    "virsh " + what + " failed: " + result.stderr().strip());
        }
    }

    /** virsh against the libvirtd whose namespaces {@code process} is in, with {@code prefix} before it. */
    static Function<List<String>, CommandResult> virshIn(NodeProcess process, List<String> prefix) {
        return args -> {
            List<String> command = new ArrayList<>(prefix);
            command.addAll(List.of("virsh", "-c", "qemu:///system"));
            command.addAll(args);
            return process.runInside(COMMAND, command.toArray(String[]::new));
        };
    }
}
