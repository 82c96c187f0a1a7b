package io.dpuoffload.api.validation;

import io.dpuoffload.api.spec.Pair;
import java.time.Duration;
import java.util.List;

/** Every problem of a {@link Pair} (its own fields; its profiles are validated as they are loaded). */
public final class PairValidation {
    /** A restarting DPU agent needs at least this long to take its VMs back. */
    public static final Duration LEAST_KEEP_RUNS_FOR = Duration.ofSeconds(1);

    private PairValidation() {}

    public static List<Problem> problems(Pair pair) {
        Problems problems = new Problems();
        problems.required("pair", pair.pair(), "rack3-node7");
        if (problems.required("host", pair.host(), "{node: host-1, endpoint: tcp://198.51.100.1:7400}")) {
            problems.required("host.node", pair.host().node(), "host-1");
            problems.required("host.endpoint", pair.host().endpoint(), "tcp://198.51.100.1:7400");
            problems.atLeast(
                    "host.keepRunsFor",
                    pair.host().keepRunsFor(),
                    LEAST_KEEP_RUNS_FOR,
                    "leaves a restarting DPU agent no time to take its VMs back; give 1s or more, e.g. 10m");
        }
        if (problems.required("dpu", pair.dpu(), "{node: dpu-1}")) {
            problems.required("dpu.node", pair.dpu().node(), "dpu-1");
            problems.absolute("dpu.root", pair.dpu().root());
            problems.absolute("dpu.state", pair.dpu().state());
            if (pair.dpu().root().startsWith(pair.dpu().state())
                    || pair.dpu().state().startsWith(pair.dpu().root())) {
                problems.add(
                        "dpu.state",
                        "'" + pair.dpu().state() + "' and the root '"
                                + pair.dpu().root() + "' must not contain each other");
            }
        }
        problems.absolute("pki", pair.pki());
        if (pair.profiles().isEmpty()) {
            problems.add("profiles", "missing; name at least one, e.g. [libvirt]");
        }
        for (int i = 0; i < pair.profiles().size(); i++) {
            problems.required("profiles[" + i + "]", pair.profiles().get(i), "libvirt");
        }
        return problems.list();
    }
}
