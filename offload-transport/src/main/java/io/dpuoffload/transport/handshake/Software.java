package io.dpuoffload.transport.handshake;

/** How this build names itself in HELLO, so a peer's refusal can say what it talked to. */
final class Software {
    static final String NAME = "dpu-offload " + version();

    private static String version() {
        String version = Software.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }

    private Software() {}
}
