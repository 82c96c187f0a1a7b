package io.dpuoffload.crd.profile;

import io.dpuoffload.crd.Schema;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A file of the profile's own in the root: the api module's {@code RootFile}. */
public record RootFileSpec(
        @Required @Pattern(Schema.ABSOLUTE_PATH) String path,
        @Required String content) {}
