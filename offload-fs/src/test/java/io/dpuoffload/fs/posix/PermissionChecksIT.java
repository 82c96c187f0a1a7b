package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Xattrs;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * On an export with cached attributes (`cache: ttl`, the default for data), two checks only the
 * DPU's kernel can make: opening an exact fifo (the kernel opens it without asking the host) and
 * searching a parent directory again for a child it found in its cache (the host then acts by node
 * id, without walking the path). Each case is done on the mount and on a local directory, as user
 * 1000, and must answer the same.
 */
class PermissionChecksIT {
    @RegisterExtension
    static final MountedExport fs = MountedExport.cachingWithTtl();

    /** The cases (0077 and 0477 as the owner), and the modes around them. */
    @Test
    void opensOfAFifoNeedTheCallersReadOrWritePermission() throws Exception {
        Sides d = fs.fresh();
        int[] modes = {0077, 0477, 0277, 0677, 0707, 0070};
        int[] flags = {Flags.O_RDWR, Flags.O_RDONLY | Flags.O_NONBLOCK, Flags.O_WRONLY | Flags.O_NONBLOCK};
        Map<String, Integer> onMount = new LinkedHashMap<>();
        Map<String, Integer> locally = new LinkedHashMap<>();
        for (int mode : modes) {
            String name = "fifo-" + Integer.toOctalString(mode);
            for (Path dir : new Path[] {d.host(), d.local()}) {
                PathCalls.mknodat(Flags.AT_FDCWD, dir.resolve(name).toString(), Flags.S_IFIFO, 0);
                Metadata.fchownat(Flags.AT_FDCWD, dir.resolve(name).toString(), AsUser.USER, AsUser.GROUP, 0);
                Metadata.fchmodat(Flags.AT_FDCWD, dir.resolve(name).toString(), mode, 0);
            }
            for (int flag : flags) {
                String key = name + " flags " + Integer.toOctalString(flag);
                onMount.put(key, AsUser.call(() -> Sys.openErrno(d.mount(name), flag, 0)));
                locally.put(key, AsUser.call(() -> Sys.openErrno(d.local(name), flag, 0)));
            }
        }
        assertThat(onMount).isEqualTo(locally);
        assertThat(onMount.get("fifo-77 flags " + Integer.toOctalString(Flags.O_RDWR)))
                .isEqualTo(Errno.EACCES);
        assertThat(onMount.get("fifo-477 flags " + Integer.toOctalString(Flags.O_RDWR)))
                .isEqualTo(Errno.EACCES);
        assertThat(onMount.get("fifo-77 flags " + Integer.toOctalString(Flags.O_RDONLY | Flags.O_NONBLOCK)))
                .isEqualTo(Errno.EACCES);
    }

    /**
     * The user looks a file up (the kernel caches its entry for the TTL), then root takes the search
     * permission off its directory: every call on the file by path must fail as locally.
     */
    @Test
    void searchPermissionTakenOffAParentStopsCallsOnChildrenLookedUpBefore() throws Exception {
        Sides d = fs.fresh();
        Map<String, Integer> onMount = revokeThenAct(d.mount());
        Map<String, Integer> locally = revokeThenAct(d.local());
        assertThat(onMount).isEqualTo(locally);
        assertThat(onMount).containsEntry("open", Errno.EACCES).containsEntry("chmod", Errno.EACCES);
    }

    /**
     * The kernel's checks count ACLs: on the export root, whose ACLs the DPU answers for the kernel
     * (KeptXattrs), a grant and its removal through the mount count at once.
     */
    @Test
    void anAclOnTheExportRootCountsAtOnce(@TempDir Path own) throws Exception {
        try (PosixMount acl = PosixMount.start(own, Allowlist.allowAll(), CachePolicy.TTL, false)) {
            Path root = acl.mountpoint();
            Sys.close(Sys.open(root.resolve("f"), Flags.O_CREAT | Flags.O_WRONLY, 0644));
            Metadata.fchmodat(Flags.AT_FDCWD, root.toString(), 0750, 0);
            assertThat(AsUser.call(() -> Sys.openErrno(root.resolve("f"), Flags.O_RDONLY, 0)))
                    .isEqualTo(Errno.EACCES);
            Xattrs.setxattr(root.toString(), "system.posix_acl_access", AccessAcl.of(AsUser.USER, 05, 05, 0), 0);
            assertThat(AsUser.call(() -> Sys.openErrno(root.resolve("f"), Flags.O_RDONLY, 0)))
                    .as("granted search by an ACL entry for the user")
                    .isZero();
            Xattrs.setxattr(root.toString(), "system.posix_acl_access", AccessAcl.of(AsUser.USER, 0, 05, 0), 0);
            assertThat(AsUser.call(() -> Sys.openErrno(root.resolve("f"), Flags.O_RDONLY, 0)))
                    .as("and refused again when the entry allows nothing")
                    .isEqualTo(Errno.EACCES);
        }
    }

    private static Map<String, Integer> revokeThenAct(Path dir) throws Exception {
        String parent = dir.resolve("closed").toString();
        String file = parent + "/f";
        String into = dir.resolve("open-to-all").toString();
        PathCalls.mkdirat(Flags.AT_FDCWD, parent, 0755);
        PathCalls.mkdirat(Flags.AT_FDCWD, into, 0777);
        Metadata.fchmodat(Flags.AT_FDCWD, into, 0777, 0);
        Sys.close(Sys.open(Path.of(file), Flags.O_CREAT | Flags.O_WRONLY, 0666));
        Metadata.fchownat(Flags.AT_FDCWD, file, AsUser.USER, AsUser.GROUP, 0);
        Metadata.fchmodat(Flags.AT_FDCWD, file, 0666, 0);
        Map<String, Integer> results = new LinkedHashMap<>();
        results.put("stat before", AsUser.call(() -> Sys.errno(() -> Metadata.statx(Flags.AT_FDCWD, file, 0))));
        Metadata.fchmodat(Flags.AT_FDCWD, parent, 0700, 0);
        results.put("stat", AsUser.call(() -> Sys.errno(() -> Metadata.statx(Flags.AT_FDCWD, file, 0))));
        results.put("chmod", AsUser.call(() -> Sys.errno(() -> Metadata.fchmodat(Flags.AT_FDCWD, file, 0600, 0))));
        results.put(
                "chown",
                AsUser.call(
                        () -> Sys.errno(() -> Metadata.fchownat(Flags.AT_FDCWD, file, AsUser.USER, AsUser.GROUP, 0))));
        results.put("truncate", AsUser.call(() -> Sys.errno(() -> Sys.truncate(Path.of(file), 0))));
        results.put("open", AsUser.call(() -> Sys.openErrno(Path.of(file), Flags.O_RDONLY, 0)));
        results.put(
                "link",
                AsUser.call(
                        () -> Sys.errno(() -> PathCalls.linkat(Flags.AT_FDCWD, file, Flags.AT_FDCWD, into + "/l", 0))));
        results.put(
                "utimes",
                AsUser.call(() -> Sys.errno(
                        () -> Metadata.utimensat(Flags.AT_FDCWD, file, 0, Flags.UTIME_NOW, 0, Flags.UTIME_NOW, 0))));
        return results;
    }
}
