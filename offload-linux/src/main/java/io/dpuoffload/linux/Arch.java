package io.dpuoffload.linux;

/**
 * The two architectures this module supports. Most numbers are the same on both (both use the generic errno
 * table and most of the generic syscall table); the few that differ (some {@code O_*} flags, old syscall
 * numbers) are chosen with {@link #CURRENT}.
 */
enum Arch {
    X86_64,
    AARCH64;

    static final Arch CURRENT = detect(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));

    static boolean isAarch64() {
        return CURRENT == AARCH64;
    }

    static Arch detect(String osName, String osArch) {
        if (!osName.equals("Linux")) {
            throw new UnsupportedOperationException(
                    "offload-linux calls the Linux kernel directly; this JVM runs on " + osName);
        }
        return switch (osArch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default ->
                throw new UnsupportedOperationException(
                        "offload-linux knows the ABI of x86_64 and aarch64 only, not " + osArch);
        };
    }
}
