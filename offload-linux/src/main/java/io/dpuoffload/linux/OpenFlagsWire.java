package io.dpuoffload.linux;

/**
 * open(2) flags between machines of different architectures. Four bits differ between x86_64 and
 * aarch64 ({@code O_DIRECT}, {@code O_LARGEFILE}, {@code O_DIRECTORY}, {@code O_NOFOLLOW}), and the
 * kernel sets O_LARGEFILE on every open of a 64-bit process: an Arm DPU's flags read as x86 flags
 * would carry O_NOFOLLOW on every open. On the wire the flags are in x86_64's encoding; each side
 * converts its own at the boundary, so two x86 machines convert nothing.
 */
public final class OpenFlagsWire {
    private static final int X86_DIRECT = 040000;
    private static final int X86_LARGEFILE = 0100000;
    private static final int X86_DIRECTORY = 0200000;
    private static final int X86_NOFOLLOW = 0400000;

    private static final int ARM_DIRECTORY = 040000;
    private static final int ARM_NOFOLLOW = 0100000;
    private static final int ARM_DIRECT = 0200000;
    private static final int ARM_LARGEFILE = 0400000;

    private static final int DIFFERING = 0740000;

    /** This machine's flags in the wire encoding. */
    public static int toWire(int localFlags) {
        return Arch.isAarch64() ? armToX86(localFlags) : localFlags;
    }

    /** Flags in the wire encoding as this machine's. */
    public static int fromWire(int wireFlags) {
        return Arch.isAarch64() ? x86ToArm(wireFlags) : wireFlags;
    }

    static int armToX86(int flags) {
        return (flags & ~DIFFERING)
                | move(flags, ARM_DIRECT, X86_DIRECT)
                | move(flags, ARM_LARGEFILE, X86_LARGEFILE)
                | move(flags, ARM_DIRECTORY, X86_DIRECTORY)
                | move(flags, ARM_NOFOLLOW, X86_NOFOLLOW);
    }

    static int x86ToArm(int flags) {
        return (flags & ~DIFFERING)
                | move(flags, X86_DIRECT, ARM_DIRECT)
                | move(flags, X86_LARGEFILE, ARM_LARGEFILE)
                | move(flags, X86_DIRECTORY, ARM_DIRECTORY)
                | move(flags, X86_NOFOLLOW, ARM_NOFOLLOW);
    }

    private static int move(int flags, int from, int to) {
        return (flags & from) != 0 ? to : 0;
    }

    private OpenFlagsWire() {}
}
