package io.dpuoffload.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Our struct layouts against the sizes and offsets of the kernel headers (linux/openat2.h, stat.h …). */
class LayoutsTest {
    @Test
    void openHowIsThreeU64s() {
        assertThat(FileCalls.OPEN_HOW.byteSize()).isEqualTo(24); // OPEN_HOW_SIZE_VER0
        assertThat(FileCalls.OPEN_HOW.byteOffset(groupElement("resolve"))).isEqualTo(16);
    }

    @Test
    void statxMatchesLinuxStatH() {
        assertThat(Stat.STATX.byteSize()).isEqualTo(0x100);
        assertThat(Stat.STATX_TIMESTAMP.byteSize()).isEqualTo(16);
        assertThat(Stat.STATX.byteOffset(groupElement("stx_nlink"))).isEqualTo(0x10);
        assertThat(Stat.STATX.byteOffset(groupElement("stx_mode"))).isEqualTo(0x1c);
        assertThat(Stat.STATX.byteOffset(groupElement("stx_ino"))).isEqualTo(0x20);
        assertThat(Stat.STATX.byteOffset(groupElement("stx_atime"))).isEqualTo(0x40);
        assertThat(Stat.STATX.byteOffset(groupElement("stx_mtime"))).isEqualTo(0x70);
        assertThat(Stat.STATX.byteOffset(groupElement("stx_rdev_major"))).isEqualTo(0x80);
        assertThat(Stat.STATX.byteOffset(groupElement("stx_mnt_id"))).isEqualTo(0x90);
        assertThat(Stat.STATX.byteOffset(groupElement("spare3"))).isEqualTo(0xa0);
    }

    @Test
    void statfsIsThe64BitStruct() {
        assertThat(StatFs.STATFS.byteSize()).isEqualTo(120);
        assertThat(StatFs.STATFS.byteOffset(groupElement("f_fsid"))).isEqualTo(56);
        assertThat(StatFs.STATFS.byteOffset(groupElement("f_namelen"))).isEqualTo(64);
        assertThat(StatFs.STATFS.byteOffset(groupElement("f_flags"))).isEqualTo(80);
    }

    @Test
    void flockIs32BytesWithPaddedType() {
        assertThat(Locks.FLOCK.byteSize()).isEqualTo(32);
        assertThat(Locks.FLOCK.byteOffset(groupElement("l_whence"))).isEqualTo(2);
        assertThat(Locks.FLOCK.byteOffset(groupElement("l_start"))).isEqualTo(8);
        assertThat(Locks.FLOCK.byteOffset(groupElement("l_len"))).isEqualTo(16);
        assertThat(Locks.FLOCK.byteOffset(groupElement("l_pid"))).isEqualTo(24);
    }

    @Test
    void smallStructsAndIoctlNumbers() {
        assertThat(Poll.POLLFD_SIZE).isEqualTo(8);
        assertThat(Directories.D_NAME).isEqualTo(19);
        assertThat(FuseDevice.FUSE_DEV_IOC_CLONE).isEqualTo(0x8004e500L);
        assertThat(Libc.CAPTURE_LAYOUT.byteOffset(groupElement("errno"))).isNotNegative();
    }

    @Test
    void devNumbersUseGlibcEncoding() {
        // expected values from glibc's makedev/major/minor (Python's os module)
        assertThat(Stat.makedev(8, 1)).isEqualTo(2049);
        assertThat(Stat.makedev(0x12345, 0x6789a)).isEqualTo(316661085455770L);
        assertThat(Stat.major(0xdeadbeefcafeL)).isEqualTo(57290);
        assertThat(Integer.toUnsignedLong(Stat.minor(0xdeadbeefcafeL))).isEqualTo(3940282110L);
        assertThat(Stat.major(Stat.makedev(0xfffff, 0xfffff))).isEqualTo(0xfffff);
        assertThat(Stat.minor(Stat.makedev(0xfffff, 0xfffff))).isEqualTo(0xfffff);
    }
}
