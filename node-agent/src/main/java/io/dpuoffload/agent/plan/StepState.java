package io.dpuoffload.agent.plan;

import io.dpuoffload.api.status.MountPhase;
import io.dpuoffload.api.status.MountStatus;
import java.util.Locale;

/** Where one step of the plan stands. */
public record StepState(MountStep step, MountPhase state, String detail) {
    /** As the agent's status shows it. */
    public MountStatus status() {
        return new MountStatus(
                state,
                step.getClass().getSimpleName().toLowerCase(Locale.ROOT),
                step.target(),
                step.describe(),
                detail);
    }
}
