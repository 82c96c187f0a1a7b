package io.dpuoffload.crd;

/** Patterns the CRD schemas check at {@code kubectl apply}, shared by the resources' fields. */
public final class Schema {
    /** A duration as the api module writes it ({@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}). */
    public static final String DURATION = "^[0-9]+(ms|s|m|h)$";

    /** An absolute path: every path in a profile is one, in the root or on the host. */
    public static final String ABSOLUTE_PATH = "^/.*$";

    /** A Kubernetes object name (DNS subdomain): nodes and profiles are named so. */
    public static final String OBJECT_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /** A share's name: also the export's name on the host (the api module's ProfileValidation.SHARE_NAME). */
    public static final String SHARE_NAME = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";

    private Schema() {}
}
