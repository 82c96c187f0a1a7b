package io.dpuoffload.agent.kube;

/** What an OffloadNode, this node and its Secret make of this agent's side ({@link PairDerivation}). */
public sealed interface Derivation {
    /** Reasons, one CamelCase word each, as the conditions carry them. */
    String WAITING_FOR_OPERATOR = "WaitingForOperator";

    String WAITING_FOR_HOST = "WaitingForHost";
    String SECRET_INCOMPLETE = "SecretIncomplete";
    String PROFILE_INVALID = "ProfileInvalid";
    String SPEC_INVALID = "SpecInvalid";

    /** Not yet: something the operator or the host agent will provide (the next event brings it). */
    record Waiting(String reason, String message) implements Derivation {}

    /** Never, as it stands: the resource or the Secret must change. */
    record Invalid(String reason, String message) implements Derivation {}

    /** What to run, and the certificates to run it with. */
    record Run(Plan plan, SecretCredentials credentials) implements Derivation {}
}
