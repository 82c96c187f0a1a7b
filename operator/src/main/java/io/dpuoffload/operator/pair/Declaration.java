package io.dpuoffload.operator.pair;

import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.crd.NodeRoles;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.OffloadProfile;
import io.dpuoffload.crd.profile.ProfileResources;
import io.fabric8.kubernetes.api.model.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether an OffloadNode declares something that can run: both nodes exist and carry their role,
 * every profile exists and passes the api module's checks, and no older OffloadNode already pairs
 * the same host or DPU. A pure function of the cluster as the informers see it.
 */
public final class Declaration {
    /** Why a pair cannot run, as a condition's reason and message. */
    public record Problem(String reason, String message) {}

    /** A profile as it is now, at its current revision. */
    public record CurrentProfile(String name, String revision, OffloadProfile resource) {}

    private Declaration() {}

    /** The first problem of {@code pair}, in the order an operator would fix them. */
    public static Optional<Problem> problem(
            OffloadNode pair, Map<String, Node> nodes, Map<String, OffloadProfile> profiles, List<OffloadNode> pairs) {
        var spec = pair.getSpec();
        if (spec == null) {
            return Optional.of(
                    new Problem("SpecMissing", "the OffloadNode has no spec; give hostNode, dpuNode and profiles"));
        }
        if (spec.hostNode().equals(spec.dpuNode())) {
            return Optional.of(new Problem(
                    "SameNode",
                    "hostNode and dpuNode are both " + spec.hostNode() + "; a pair is two different nodes"));
        }
        for (var side : List.of(new Side(spec.hostNode(), NodeRoles.HOST), new Side(spec.dpuNode(), NodeRoles.DPU))) {
            Optional<Problem> problem = nodeProblem(side, nodes.get(side.node()));
            if (problem.isPresent()) {
                return problem;
            }
        }
        Optional<Problem> claim = claimProblem(pair, pairs);
        if (claim.isPresent()) {
            return claim;
        }
        for (String name : spec.profiles()) {
            OffloadProfile profile = profiles.get(name);
            if (profile == null) {
                return Optional.of(new Problem(
                        "ProfileNotFound",
                        "OffloadProfile " + name + " does not exist; create it or remove it from spec.profiles"));
            }
            try {
                ProfileResources.toProfile(name, profile.getSpec());
            } catch (ConfigException e) {
                return Optional.of(
                        new Problem("ProfileInvalid", "OffloadProfile " + name + " is not valid: " + e.getMessage()));
            }
        }
        return Optional.empty();
    }

    /** The pair's profiles at their current revisions, in spec order; only call once {@link #problem} found none. */
    public static Map<String, CurrentProfile> currentProfiles(OffloadNode pair, Map<String, OffloadProfile> profiles) {
        Map<String, CurrentProfile> current = new LinkedHashMap<>();
        for (String name : pair.getSpec().profiles()) {
            OffloadProfile profile = profiles.get(name);
            current.put(name, new CurrentProfile(name, ProfileResources.revision(name, profile.getSpec()), profile));
        }
        return current;
    }

    private record Side(String node, String role) {}

    private static Optional<Problem> nodeProblem(Side side, Node node) {
        if (node == null) {
            return Optional.of(new Problem(
                    "NodeNotFound",
                    "node " + side.node() + " does not exist; fix spec." + side.role() + "Node or add the node"));
        }
        String role = node.getMetadata().getLabels() == null
                ? null
                : node.getMetadata().getLabels().get(NodeRoles.LABEL);
        if (!side.role().equals(role)) {
            return Optional.of(new Problem(
                    "NodeNotLabelled",
                    "node " + side.node() + " is not labelled " + NodeRoles.LABEL + "=" + side.role()
                            + (role == null ? "" : " (it is " + role + ")") + "; run kubectl label node "
                            + side.node() + " " + NodeRoles.LABEL + "=" + side.role()));
        }
        return Optional.empty();
    }

    /** The oldest OffloadNode (then the first by name) keeps a node; a later claim is refused. */
    private static Optional<Problem> claimProblem(OffloadNode pair, List<OffloadNode> pairs) {
        List<OffloadNode> earlier = new ArrayList<>(pairs.stream()
                .filter(other -> other.getSpec() != null)
                .filter(other ->
                        !other.getMetadata().getName().equals(pair.getMetadata().getName()))
                .filter(other -> other.getMetadata().getDeletionTimestamp() == null)
                .filter(other -> comesBefore(other, pair))
                .toList());
        earlier.sort(Comparator.comparing(o -> o.getMetadata().getName()));
        for (OffloadNode other : earlier) {
            if (other.getSpec().hostNode().equals(pair.getSpec().hostNode())) {
                return Optional.of(duplicate("host", pair.getSpec().hostNode(), other));
            }
            if (other.getSpec().dpuNode().equals(pair.getSpec().dpuNode())) {
                return Optional.of(duplicate("DPU", pair.getSpec().dpuNode(), other));
            }
        }
        return Optional.empty();
    }

    private static Problem duplicate(String role, String node, OffloadNode owner) {
        return new Problem(
                "DuplicateClaim",
                role + " " + node + " is already paired by OffloadNode "
                        + owner.getMetadata().getName() + "; a node is in one pair only");
    }

    private static boolean comesBefore(OffloadNode a, OffloadNode b) {
        String ta = a.getMetadata().getCreationTimestamp();
        String tb = b.getMetadata().getCreationTimestamp();
        if (ta != null && tb != null && !ta.equals(tb)) {
            return ta.compareTo(tb) < 0;
        }
        return a.getMetadata().getName().compareTo(b.getMetadata().getName()) < 0;
    }
}
