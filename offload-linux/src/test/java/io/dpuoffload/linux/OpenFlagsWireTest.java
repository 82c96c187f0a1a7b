package io.dpuoffload.linux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The kernels' own values (asm-generic/fcntl.h and arch/arm64's uapi fcntl.h). */
class OpenFlagsWireTest {
    private static final int O_WRONLY = 01;
    private static final int O_CREAT = 0100;
    private static final int O_APPEND = 02000;
    private static final int O_CLOEXEC = 02000000;

    @Test
    void anArmOpenKeepsItsMeaningOnAnX86Host() {
        int armLargefile = 0400000;
        int armDirect = 0200000;
        int arm = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | armLargefile | armDirect;
        int x86 = OpenFlagsWire.armToX86(arm);
        assertThat(x86).isEqualTo(O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | 0100000 | 040000);
        assertThat(x86 & 0400000).as("no O_NOFOLLOW on x86").isZero();
        assertThat(x86 & 0200000).as("no O_DIRECTORY on x86").isZero();
    }

    @Test
    void everyDifferingBitRoundTrips() {
        for (int bit : new int[] {040000, 0100000, 0200000, 0400000}) {
            int flags = bit | O_APPEND | O_CLOEXEC;
            assertThat(OpenFlagsWire.x86ToArm(OpenFlagsWire.armToX86(flags))).isEqualTo(flags);
            assertThat(OpenFlagsWire.armToX86(OpenFlagsWire.x86ToArm(flags))).isEqualTo(flags);
        }
        assertThat(OpenFlagsWire.armToX86(040000)).as("arm O_DIRECTORY").isEqualTo(0200000);
        assertThat(OpenFlagsWire.armToX86(0100000)).as("arm O_NOFOLLOW").isEqualTo(0400000);
    }

    @Test
    void onThisMachineTheWireEncodingMatchesFlags() {
        int local = Flags.O_DIRECTORY | Flags.O_NOFOLLOW | Flags.O_LARGEFILE | Flags.O_DIRECT | O_APPEND;
        assertThat(OpenFlagsWire.fromWire(OpenFlagsWire.toWire(local))).isEqualTo(local);
        assertThat(OpenFlagsWire.toWire(Flags.O_DIRECTORY)).isEqualTo(0200000);
        assertThat(OpenFlagsWire.toWire(Flags.O_NOFOLLOW)).isEqualTo(0400000);
    }
}
