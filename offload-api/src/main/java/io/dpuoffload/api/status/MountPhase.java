package io.dpuoffload.api.status;

/** Where one step of building the offload root stands. */
public enum MountPhase {
    PENDING,
    APPLIED,
    /** Found already made (by an earlier run of the agent) and taken over. */
    ADOPTED,
    FAILED,
    UNDONE;

    /** The step's work is there. */
    public boolean made() {
        return this == APPLIED || this == ADOPTED;
    }
}
