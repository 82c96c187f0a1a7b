package io.dpuoffload.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

class FlagsTest {
    @Test
    @EnabledIfSystemProperty(named = "os.arch", matches = "amd64|x86_64")
    void x86_64ValuesMatchTheKernelHeaders() {
        assertThat(Flags.O_DIRECTORY).isEqualTo(0x10000);
        assertThat(Flags.O_NOFOLLOW).isEqualTo(0x20000);
        assertThat(Flags.O_DIRECT).isEqualTo(0x4000);
        assertThat(Flags.O_LARGEFILE).isEqualTo(0x8000);
        assertThat(Flags.O_TMPFILE).isEqualTo(0x410000);
        assertThat(Syscalls.SETFSUID).isEqualTo(122);
        assertThat(Syscalls.SETGROUPS).isEqualTo(116);
    }

    @Test
    @EnabledIfSystemProperty(named = "os.arch", matches = "aarch64")
    void aarch64ValuesMatchTheKernelHeaders() {
        assertThat(Flags.O_DIRECTORY).isEqualTo(040000);
        assertThat(Flags.O_NOFOLLOW).isEqualTo(0100000);
        assertThat(Flags.O_DIRECT).isEqualTo(0200000);
        assertThat(Flags.O_LARGEFILE).isEqualTo(0400000);
        assertThat(Syscalls.SETFSUID).isEqualTo(151);
        assertThat(Syscalls.SETGROUPS).isEqualTo(159);
    }

    @Test
    void sharedValues() {
        assertThat(Flags.O_PATH).isEqualTo(0x200000);
        assertThat(Flags.O_CLOEXEC).isEqualTo(0x80000);
        assertThat(Flags.O_NOATIME).isEqualTo(0x40000);
        assertThat(Flags.AT_FDCWD).isEqualTo(-100);
        assertThat(Flags.AT_EMPTY_PATH).isEqualTo(0x1000);
        assertThat(Flags.RESOLVE_BENEATH).isEqualTo(8);
        assertThat(Flags.UTIME_NOW).isEqualTo(0x3fffffff);
        assertThat(Flags.UTIME_OMIT).isEqualTo(0x3ffffffe);
        assertThat(Syscalls.OPENAT2).isEqualTo(437);
        assertThat(Syscalls.FACCESSAT2).isEqualTo(439);
    }

    @Test
    void architectureIsRecognised() {
        assertThat(Arch.detect("Linux", "amd64")).isEqualTo(Arch.X86_64);
        assertThat(Arch.detect("Linux", "aarch64")).isEqualTo(Arch.AARCH64);
        assertThatThrownBy(() -> Arch.detect("Linux", "riscv64"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("riscv64");
        assertThatThrownBy(() -> Arch.detect("Mac OS X", "aarch64"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Mac OS X");
    }
}
