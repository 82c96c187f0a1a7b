package io.dpuoffload.crd.profile;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * @param pairs the OffloadNodes that use the profile
 * @param updated those running the current revision and Ready
 * @param updating the pair being updated now, if any
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutStatus(int pairs, int updated, String updating) {}
