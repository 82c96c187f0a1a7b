package io.dpuoffload.agent.plan;

/** Where one step of the plan stands, for {@code offloadctl agent status}. */
public record StepState(MountStep step, State state, String detail) {
    public enum State {
        PENDING,
        APPLIED,
        /** Found already made (by an earlier run of the agent) and taken over. */
        ADOPTED,
        FAILED,
        UNDONE
    }

    public String line() {
        return String.format("%-8s %s%s", state, step.describe(), detail.isEmpty() ? "" : "  (" + detail + ")");
    }
}
