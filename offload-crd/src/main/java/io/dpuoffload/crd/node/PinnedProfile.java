package io.dpuoffload.crd.node;

import io.dpuoffload.crd.profile.OffloadProfileSpec;

/**
 * A profile's content at one revision, as the operator gave it to a pair.
 *
 * @param pinned when the operator gave this revision to the pair (RFC 3339): a rollout waits for
 *     the pair to become Ready with it until the profile's progress deadline after this
 */
public record PinnedProfile(String name, String revision, OffloadProfileSpec spec, String pinned) {
    /** A pin with no time (as tests and tools write one); a rollout then counts from when it sees it. */
    public PinnedProfile(String name, String revision, OffloadProfileSpec spec) {
        this(name, revision, spec, null);
    }

    /** How the agents report a profile they run, and the operator compares: {@code name@revision}. */
    public String reference() {
        return name + "@" + revision;
    }
}
