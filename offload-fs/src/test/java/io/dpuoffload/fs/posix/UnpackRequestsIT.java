package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.fs.host.watch.HostChangeWatch;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.Xattrs;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an untar costs per file on a `cache: ttl` export, and the capability checks behind it. Before
 * each chown, and before a file's first write, the DPU's kernel reads the file's capabilities to
 * know whether to remove them; for a file the mount has just created the DPU knows there are none,
 * and a chown or write cannot add any, so the host is not asked. What a user reads of a file's
 * capabilities stays the host's: set through the mount at once, set on the host within the bound
 * for host changes, gone after a chown as locally.
 */
class UnpackRequestsIT {
    /** Files unpacked and measured after a warm-up of as many. */
    private static final int ROUNDS = 200;

    private static final String CAPABILITY = "security.capability";

    private static final byte[] CONTENT = "#define DPUO 1\n".repeat(200).getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    static final MountedExport fs = MountedExport.cachingWithTtl();

    @Test
    void anUnpackedFileCostsTheHostNoCapabilityReads() throws Exception {
        Sides d = fs.fresh();
        unpack(d, "warm-", ROUNDS);
        long before = fs.forwarded();
        unpack(d, "f", ROUNDS);
        double perFile = (fs.forwarded() - before) / (double) ROUNDS;
        System.out.printf("requests per unpacked file: %.2f%n", perFile);
        // 8.0 before: a read of the file's capabilities before its first write and before its chown.
        assertThat(perFile).as("requests per unpacked file").isLessThanOrEqualTo(6.5);
        assertThat(java.nio.file.Files.readAllBytes(d.host("f7")))
                .as("the unpacked file on the host")
                .isEqualTo(CONTENT);
    }

    @Test
    void theCapabilitiesSeenOnTheDpuAreTheHosts() throws Exception {
        Sides d = fs.fresh();
        unpack(d, "set-on-host", 1);
        String onDpu = d.mount("set-on-host0").toString();
        assertNoCapabilities(onDpu, "a file the mount created");

        Xattrs.setxattr(d.host("set-on-host0").toString(), CAPABILITY, netRaw(), 0); // setcap on the host
        long start = System.nanoTime();
        while (capabilitySizeOrNone(onDpu) != netRaw().length) {
            assertThat((System.nanoTime() - start) / 1_000_000)
                    .as("capabilities set on the host not seen on the DPU")
                    .isLessThan(10 * HostChangeWatch.BOUND_MILLIS);
            Thread.sleep(2);
        }

        unpack(d, "set-through-mount", 1);
        String mounted = d.mount("set-through-mount0").toString();
        assertNoCapabilities(mounted, "before the setcap");
        Xattrs.setxattr(mounted, CAPABILITY, netRaw(), 0);
        assertThat(capabilitySize(mounted)).as("at once, through the mount").isEqualTo(netRaw().length);

        Metadata.fchownat(Flags.AT_FDCWD, mounted, 0, 0, 0);
        assertNoCapabilities(mounted, "after a chown, on the DPU");
        assertNoCapabilities(d.host("set-through-mount0").toString(), "after a chown, on the host");
    }

    /** As GNU tar unpacks a file as root: create, write, set its times, owner and mode, close. */
    private static void unpack(Sides d, String prefix, int files) throws Exception {
        for (int i = 0; i < files; i++) {
            Path file = d.mount(prefix + i);
            int fd = Sys.open(file, Flags.O_CREAT | Flags.O_EXCL | Flags.O_WRONLY, 0600);
            try {
                Sys.write(fd, CONTENT);
                Metadata.utimensat(Flags.AT_FDCWD, file.toString(), 0, 0, 0, 0, 0);
                Metadata.fchownat(fd, new byte[0], 0, 0, Flags.AT_EMPTY_PATH);
                Metadata.fchmod(fd, 0644);
            } finally {
                Sys.close(fd);
            }
        }
    }

    private static void assertNoCapabilities(String path, String when) {
        assertThatThrownBy(() -> capabilitySize(path))
                .as("capabilities %s", when)
                .isInstanceOfSatisfying(
                        ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODATA));
    }

    /** getxattr(path, "security.capability", NULL, 0), as the kernel's own check asks. */
    private static int capabilitySize(String path) throws ErrnoException {
        return Xattrs.getxattr(
                path.getBytes(StandardCharsets.UTF_8), CAPABILITY.getBytes(StandardCharsets.UTF_8), MemorySegment.NULL);
    }

    /** As {@link #capabilitySize}, 0 for none. */
    private static int capabilitySizeOrNone(String path) throws ErrnoException {
        try {
            return capabilitySize(path);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENODATA) {
                throw e;
            }
            return 0;
        }
    }

    /** A vfs_cap_data of revision 2: CAP_NET_RAW permitted and effective, as setcap cap_net_raw+ep writes. */
    private static byte[] netRaw() {
        ByteBuffer cap = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        cap.putInt(0x02000000 | 0x1).putInt(1 << 13).putInt(0).putInt(0).putInt(0);
        return cap.array();
    }
}
