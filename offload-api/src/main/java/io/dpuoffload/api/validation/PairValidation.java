package io.dpuoffload.api.validation;

import io.dpuoffload.api.spec.Pair;
import io.dpuoffload.api.spec.Profile;
import io.dpuoffload.api.spec.RootFile;
import io.dpuoffload.api.spec.RootGroup;
import io.dpuoffload.api.spec.RootUser;
import io.dpuoffload.api.spec.Share;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Every problem of a {@link Pair} (its own fields; its profiles are validated as they are loaded). */
public final class PairValidation {
    /** A restarting DPU agent needs at least this long to take its VMs back. */
    public static final Duration LEAST_KEEP_RUNS_FOR = Duration.ofSeconds(1);

    /** Past this a peer that is gone holds its sockets and files open too long to be worth it. */
    public static final Duration LONGEST_RESUME_WITHIN = Duration.ofHours(1);

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
            problems.atMost(
                    "host.resumeWithin",
                    pair.host().resumeWithin(),
                    LONGEST_RESUME_WITHIN,
                    "keeps a dead peer's connections and sessions open too long; give 0s to 1h, e.g. 60s");
            problems.absolute("host.state", pair.host().state());
            for (int i = 0; i < pair.host().bridges().size(); i++) {
                String bridge = pair.host().bridges().get(i);
                if (bridge == null || !InterfaceNames.isValid(bridge)) {
                    problems.add(
                            "host.bridges[" + i + "]",
                            "'" + bridge + "' is not a network interface name: 1 to 15 characters, no '/', ':' or"
                                    + " spaces, e.g. br0");
                }
            }
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

    /**
     * What the profiles of one pair must agree on: a share name is one export on the host, a root
     * path one mount or one file in the root; the same share or file in two profiles is fine.
     */
    public static List<Problem> acrossProfiles(List<Profile> profiles) {
        Problems problems = new Problems();
        Map<String, Share> byName = new HashMap<>();
        Map<Path, Share> byPath = new HashMap<>();
        Map<Path, RootFile> files = new HashMap<>();
        Map<String, RootUser> users = new HashMap<>();
        Map<String, RootGroup> groups = new HashMap<>();
        for (int p = 0; p < profiles.size(); p++) {
            Profile profile = profiles.get(p);
            for (int s = 0; s < profile.shares().size(); s++) {
                Share share = profile.shares().get(s);
                String at = "profiles[" + p + "].shares[" + s + "]";
                Share named = byName.putIfAbsent(share.name(), share);
                if (named != null && !named.equals(share)) {
                    problems.add(
                            at + ".name",
                            "a share '" + share.name() + "' of an earlier profile differs from "
                                    + "this one; give each its own name, or make them the same");
                }
                Share mounted = byPath.putIfAbsent(share.path(), share);
                if (mounted != null && !mounted.equals(share)) {
                    problems.add(
                            at + ".path",
                            share.path() + " is where the share '" + mounted.name()
                                    + "' of an earlier profile is mounted; give this one another path");
                }
            }
            String at = "profiles[" + p + "]";
            agree(
                    problems,
                    at + ".files",
                    ".path",
                    profile.files(),
                    RootFile::path,
                    files,
                    file -> "an earlier profile gives other contents for " + file.path() + "; keep one");
            agree(
                    problems,
                    at + ".users",
                    "",
                    profile.users(),
                    RootUser::name,
                    users,
                    user -> "an earlier profile gives user '" + user.name() + "' other ids; make them the same");
            agree(
                    problems,
                    at + ".groups",
                    "",
                    profile.groups(),
                    RootGroup::name,
                    groups,
                    group -> "an earlier profile gives group '" + group.name() + "' another id; make them the same");
        }
        return problems.list();
    }

    /**
     * Each of {@code items} against the item an earlier profile gave under the same key ({@code
     * seen}, which it adds to): the same is fine, another is a problem at {@code list[i]suffix}.
     */
    private static <T, K> void agree(
            Problems problems,
            String list,
            String suffix,
            List<T> items,
            Function<T, K> key,
            Map<K, T> seen,
            Function<T, String> differs) {
        for (int i = 0; i < items.size(); i++) {
            T item = items.get(i);
            T earlier = item == null ? null : seen.putIfAbsent(key.apply(item), item);
            if (earlier != null && !earlier.equals(item)) {
                problems.add(list + "[" + i + "]" + suffix, differs.apply(item));
            }
        }
    }
}
