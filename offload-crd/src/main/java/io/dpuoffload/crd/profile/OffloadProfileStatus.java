package io.dpuoffload.crd.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What the operator found of a profile.
 *
 * @param revision a digest of the spec's content: pairs record the revision they run
 * @param rollout how far the current revision has reached
 * @param conditions {@code Valid} (the profile passes the api module's checks) and {@code
 *     RolloutProgressing}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OffloadProfileStatus(
        Long observedGeneration, String revision, RolloutStatus rollout, List<Condition> conditions) {}
