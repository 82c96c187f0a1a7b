package io.dpuoffload.crd.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dpuoffload.crd.Schema;
import io.fabric8.generator.annotation.Pattern;

/**
 * How a change of the profile reaches its pairs: one pair at a time, each waited for until Ready.
 *
 * @param paused stop after the pair being updated; set false to go on
 * @param progressDeadline how long one pair may take to become Ready with the new revision before
 *     the rollout stops with a condition saying which pair and why; default 10m
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutSpec(
        @JsonPropertyDescription("Stop the rollout after the pair being updated.")
        Boolean paused,

        @Pattern(Schema.DURATION)
        @JsonPropertyDescription("How long one pair may take to become Ready with a new revision; default 10m.")
        String progressDeadline) {}
