package io.dpuoffload.crd.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dpuoffload.crd.Schema;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The api module's {@code Readiness}: the daemon is ready once {@code socket} accepts, within {@code timeout}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReadinessSpec(
        @Required @Pattern(Schema.ABSOLUTE_PATH) String socket,
        @Pattern(Schema.DURATION) String timeout) {}
