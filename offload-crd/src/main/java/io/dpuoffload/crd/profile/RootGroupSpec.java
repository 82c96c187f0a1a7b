package io.dpuoffload.crd.profile;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A group the daemons look up in the root: the api module's {@code RootGroup}. */
public record RootGroupSpec(
        @Required @Pattern(RootUserSpec.NAME) String name,
        @Required @Min(0) @Max(RootUserSpec.MOST_ID) Long gid) {}
