package io.dpuoffload.crd.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dpuoffload.crd.Schema;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * The api module's profile as a resource's spec: the same fields, so a profile file's body (without
 * its {@code name}) is a valid spec. Paths and durations are text here, as the CRD checks them;
 * {@link ProfileResources} turns a spec into the api module's {@code Profile}, with its validation.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record OffloadProfileSpec(
        @Size(max = OffloadProfileSpec.MOST_SHARES)
        @JsonPropertyDescription("Host directories mounted in the offload root through offload-fs.")
        List<ShareSpec> shares,

        @JsonPropertyDescription(
                "Directories (as the daemons see them) whose host Unix sockets the daemons connect to.")
        List<@Pattern(Schema.ABSOLUTE_PATH) String> sockets,

        @JsonPropertyDescription("Unix sockets the daemons listen on (paths as they see them, outside every share) that"
                + " host programs connect to: the host listens at the same path and carries each connection to"
                + " the daemon's socket.")
        List<@Pattern(Schema.ABSOLUTE_PATH) String> daemonSockets,

        @JsonPropertyDescription("Host programs the daemons may run on the host through offload-exec.")
        List<@Pattern(Schema.ABSOLUTE_PATH) String> programs,

        @Size(max = OffloadProfileSpec.MOST_DAEMONS)
        @JsonPropertyDescription("The daemons started in the offload root, in order.")
        List<DaemonSpec> daemons,

        @JsonPropertyDescription("Files of the profile's own in the root, e.g. a daemon's configuration.")
        List<RootFileSpec> files,

        @Size(max = OffloadProfileSpec.MOST_ACCOUNTS)
        @JsonPropertyDescription("Accounts the daemons look up in the root, added to its /etc/passwd where the DPU has"
                + " none of that name.")
        List<RootUserSpec> users,

        @Size(max = OffloadProfileSpec.MOST_ACCOUNTS)
        @JsonPropertyDescription("Groups the daemons look up in the root, added to its /etc/group where the DPU has"
                + " none of that name.")
        List<RootGroupSpec> groups,

        @JsonPropertyDescription("How a change reaches the pairs that use this profile.")
        RolloutSpec rollout) {
    /*
     * Shares and daemons carry CEL rules (a share's allow keys, a daemon's health kind). The API
     * server accepts a CRD only if each rule's estimated cost times the number of times it may run
     * in one request stays under its limit, and counts a rule in an unbounded list as run about a
     * million times: without these bounds it refuses the CRD (CrdRuleCostTest). A root with more
     * shares or daemons than this is not one profile's.
     */
    /** The most shares one profile may have (the built-in libvirt profile has 4). */
    public static final int MOST_SHARES = 64;

    /** The most users, and the most groups, one profile may add to the root. */
    public static final int MOST_ACCOUNTS = 64;

    /** The most daemons one profile may start (the built-in libvirt profile starts 2). */
    public static final int MOST_DAEMONS = 64;

    public OffloadProfileSpec withShares(List<ShareSpec> shares) {
        return new OffloadProfileSpec(shares, sockets, daemonSockets, programs, daemons, files, users, groups, rollout);
    }

    public OffloadProfileSpec withDaemons(List<DaemonSpec> daemons) {
        return new OffloadProfileSpec(shares, sockets, daemonSockets, programs, daemons, files, users, groups, rollout);
    }

    public OffloadProfileSpec withFiles(List<RootFileSpec> files) {
        return new OffloadProfileSpec(shares, sockets, daemonSockets, programs, daemons, files, users, groups, rollout);
    }

    public OffloadProfileSpec withRollout(RolloutSpec rollout) {
        return new OffloadProfileSpec(shares, sockets, daemonSockets, programs, daemons, files, users, groups, rollout);
    }
}
