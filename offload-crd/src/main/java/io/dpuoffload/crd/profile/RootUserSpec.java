package io.dpuoffload.crd.profile;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** An account the daemons look up in the root: the api module's {@code RootUser}. */
public record RootUserSpec(
        @Required @Pattern(RootUserSpec.NAME) String name,
        @Required @Min(0) @Max(RootUserSpec.MOST_ID) Long uid,
        @Required @Min(0) @Max(RootUserSpec.MOST_ID) Long gid) {
    /** An account or group name as useradd and groupadd take it. */
    static final String NAME = "^[a-z_][a-z0-9_-]{0,31}$";

    /** The largest id; (uid_t) -1 means "no change" to the kernel. */
    static final long MOST_ID = 4_294_967_294L;
}
