package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.Stat;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A user who may write a set-id file but does not own it: writing and truncating succeed and clear
 * the set-id bits, as on a local file system, with either cache policy.
 */
class SetIdBitsIT {
    @TempDir
    Path work;

    @ParameterizedTest
    @EnumSource(CachePolicy.class)
    void aNonOwnerWriteClearsSetIdBits(CachePolicy cache) throws Exception {
        try (PosixMount fs = PosixMount.start(work, Allowlist.allowAll(), cache, false)) {
            Sides d = fs.fresh();
            for (Path dir : new Path[] {d.host(), d.local()}) {
                for (String name : new String[] {"write", "truncate", "open-trunc"}) {
                    Files.writeString(dir.resolve(name), "0123456789");
                    Metadata.fchmodat(Flags.AT_FDCWD, dir.resolve(name).toString(), 06777, 0);
                }
            }
            for (Path dir : new Path[] {d.mount(), d.local()}) {
                int[] errnos = AsUser.call(() -> new int[] {
                    Sys.errno(() -> {
                        int fd = Sys.open(dir.resolve("write"), Flags.O_WRONLY);
                        try {
                            Sys.pwrite(fd, Sys.utf8("x"), 0);
                        } finally {
                            Sys.close(fd);
                        }
                    }),
                    Sys.errno(() -> Sys.truncate(dir.resolve("truncate"), 3)),
                    Sys.openErrno(dir.resolve("open-trunc"), Flags.O_WRONLY | Flags.O_TRUNC, 0)
                });
                assertThat(errnos).as(dir.toString()).containsExactly(0, 0, 0);
            }
            for (String name : new String[] {"write", "truncate", "open-trunc"}) {
                assertThat(Integer.toOctalString(MetadataIT.stat(d.host(name)).permissions()))
                        .as(name)
                        .isEqualTo(Integer.toOctalString(
                                MetadataIT.stat(d.local(name)).permissions()));
            }
            assertThat(Files.readString(d.host("write"))).isEqualTo("x123456789");
            assertThat(Files.readString(d.host("truncate"))).isEqualTo("012");
        }
    }

    /**
     * chown(f, -1, -1) changes no owner, yet POSIX has it update ctime and, done by the owner or by
     * root on a non-directory, clear set-user-id and set-group-id; the DPU's kernel leaves both to
     * the host. Compared with the kernel's own answer on a local file.
     */
    @Test
    void chownWithNoChangeStillClearsSetIdBitsAndTouchesCtime() throws Exception {
        try (PosixMount fs = PosixMount.start(work)) {
            Sides d = fs.fresh();
            for (Path dir : new Path[] {d.host(), d.local()}) {
                for (String name : new String[] {"by-root", "by-owner"}) {
                    Files.writeString(dir.resolve(name), "x");
                    Metadata.fchownat(Flags.AT_FDCWD, dir.resolve(name).toString(), AsUser.USER, AsUser.GROUP, 0);
                    Metadata.fchmodat(Flags.AT_FDCWD, dir.resolve(name).toString(), 06755, 0);
                }
            }
            Stat before = MetadataIT.stat(d.host("by-root"));
            Thread.sleep(20); // a ctime change must be visible in nanoseconds, whatever the clock's step
            for (Path dir : new Path[] {d.mount(), d.local()}) {
                Metadata.fchownat(Flags.AT_FDCWD, dir.resolve("by-root").toString(), -1, -1, 0);
                AsUser.call(() -> {
                    Metadata.fchownat(Flags.AT_FDCWD, dir.resolve("by-owner").toString(), -1, -1, 0);
                    return null;
                });
            }
            for (String name : new String[] {"by-root", "by-owner"}) {
                assertThat(Integer.toOctalString(MetadataIT.stat(d.host(name)).permissions()))
                        .as(name)
                        .isEqualTo(Integer.toOctalString(
                                MetadataIT.stat(d.local(name)).permissions()))
                        .isEqualTo("755");
            }
            Stat after = MetadataIT.stat(d.host("by-root"));
            assertThat(after.ctimeSec() * 1_000_000_000L + after.ctimeNsec())
                    .isGreaterThan(before.ctimeSec() * 1_000_000_000L + before.ctimeNsec());
        }
    }
}
