package io.dpuoffload.crd.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;

/** A daemon started in the root: the api module's {@code Daemon}. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record DaemonSpec(
        @Required @Size(min = 1) String name,

        @Required @Size(min = 1) @JsonPropertyDescription("The program and its arguments, as in the root.")
        List<String> command,

        Map<String, String> environment,

        @JsonPropertyDescription("Daemons that must be ready before this one starts.")
        List<String> after,

        @JsonPropertyDescription("When the daemon counts as started: its socket accepts.")
        ReadinessSpec ready,

        RestartSpec restart,

        @JsonPropertyDescription("A periodic check; failures in a row restart the daemon.")
        HealthSpec health) {}
