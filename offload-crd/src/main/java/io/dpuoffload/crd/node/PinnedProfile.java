package io.dpuoffload.crd.node;

import io.dpuoffload.crd.profile.OffloadProfileSpec;

/** A profile's content at one revision, as the operator gave it to a pair. */
public record PinnedProfile(String name, String revision, OffloadProfileSpec spec) {}
