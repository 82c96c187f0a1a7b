package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.host.watch.HostChangeWatch;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Stat;
import io.dpuoffload.linux.Xattrs;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a `cache: ttl` export the DPU's kernel checks permissions on a directory before every create
 * and unlink in it, and every create and unlink marks the directory's attributes stale. The host
 * sends the directory's attributes after each such change, and the DPU answers the kernel's next
 * GETATTR from them: the attributes seen on the DPU are still the host's, and a create+stat+unlink
 * no longer costs a round trip to the host for the directory.
 */
class ParentAttributesIT {
    /** create+stat+unlink rounds measured after a warm-up of as many. */
    private static final int ROUNDS = 300;

    @RegisterExtension
    static final MountedExport fs = MountedExport.cachingWithTtl();

    @Test
    void aDirectorysAttributesAfterNameChangesAreTheHosts() throws Exception {
        Sides d = fs.fresh();
        Sides other = fs.fresh();
        String dir = d.mount().toString();
        assertSameAsHost(d, "at first");
        Sys.close(Sys.open(d.mount("f"), Flags.O_CREAT | Flags.O_WRONLY, 0644));
        assertSameAsHost(d, "after a create");
        PathCalls.mkdirat(Flags.AT_FDCWD, dir + "/sub", 0755);
        assertSameAsHost(d, "after a mkdir");
        PathCalls.symlinkat("f", Flags.AT_FDCWD, dir + "/link");
        assertSameAsHost(d, "after a symlink");
        PathCalls.linkat(Flags.AT_FDCWD, dir + "/f", Flags.AT_FDCWD, dir + "/hard", 0);
        assertSameAsHost(d, "after a link");
        PathCalls.renameat2(Flags.AT_FDCWD, dir + "/hard", Flags.AT_FDCWD, other.mount() + "/moved", 0);
        assertSameAsHost(d, "after a rename out of it");
        assertSameAsHost(other, "after a rename into it");
        PathCalls.renameat2(Flags.AT_FDCWD, dir + "/sub", Flags.AT_FDCWD, other.mount() + "/sub", 0);
        assertSameAsHost(d, "after a directory moved out of it");
        assertSameAsHost(other, "after a directory moved into it");
        PathCalls.unlinkat(Flags.AT_FDCWD, dir + "/f", 0);
        assertSameAsHost(d, "after an unlink");
        PathCalls.unlinkat(Flags.AT_FDCWD, other.mount() + "/sub", Flags.AT_REMOVEDIR);
        assertSameAsHost(other, "after an rmdir");
        for (int i = 0; i < 20; i++) {
            Path file = d.mount("g" + i);
            Sys.close(Sys.open(file, Flags.O_CREAT | Flags.O_WRONLY, 0644));
            Metadata.statx(Flags.AT_FDCWD, file.toString(), 0);
            PathCalls.unlinkat(Flags.AT_FDCWD, file.toString(), 0);
            assertSameAsHost(d, "after create+stat+unlink " + i);
        }
    }

    @Test
    void aCreateStatUnlinkAsksTheHostForNoDirectoryAttributes() throws Exception {
        Sides d = fs.fresh();
        createStatUnlink(d, "warm-", ROUNDS);
        long before = fs.forwarded();
        createStatUnlink(d, "f", ROUNDS);
        double perRound = (fs.forwarded() - before) / (double) ROUNDS;
        System.out.printf("requests per create+stat+unlink: %.2f%n", perRound);
        // 7.0 before: a GETATTR of the directory before each create and each unlink.
        assertThat(perRound).as("requests per create+stat+unlink").isLessThanOrEqualTo(5.5);
    }

    /**
     * As a user who does not own the directory, the kernel also reads its ACLs after each refresh of
     * its attributes; those are kept on the DPU too (KeptXattrs), as they do not change.
     */
    @Test
    void aCreateStatUnlinkByAnotherUserAsksTheHostForNoDirectoryAclsEither() throws Exception {
        Sides d = fs.fresh();
        Metadata.fchmodat(Flags.AT_FDCWD, d.host().toString(), 0777, 0);
        AsUser.call(() -> createStatUnlink(d, "warm-", ROUNDS));
        long before = fs.forwarded();
        AsUser.call(() -> createStatUnlink(d, "f", ROUNDS));
        double perRound = (fs.forwarded() - before) / (double) ROUNDS;
        System.out.printf("requests per create+stat+unlink by another user: %.2f%n", perRound);
        // 7.0 before: two reads of the directory's ACL (or a GETATTR and an ACL read) per round.
        assertThat(perRound).as("requests per create+stat+unlink").isLessThanOrEqualTo(5.5);
    }

    /**
     * The ACLs the DPU keeps count as the host's: a change through the mount at once, a change on
     * the host (a host program's setfacl) within the bound for host changes.
     */
    @Test
    void aclChangesOfTheDirectoryCountAtOnceThroughTheMountAndWithinTheBoundFromTheHost() throws Exception {
        Sides d = fs.fresh();
        String onHost = d.host().toString();
        Xattrs.setxattr(onHost, "system.posix_acl_access", AccessAcl.of(AsUser.USER, 05, 07, 05), 0);
        assertThat(createAsUser(d, "refused")).isEqualTo(Errno.EACCES);
        assertThat(createAsUser(d, "refused"))
                .as("again, with the ACL kept on the DPU")
                .isEqualTo(Errno.EACCES);

        Xattrs.setxattr(d.mount().toString(), "system.posix_acl_access", AccessAcl.of(AsUser.USER, 07, 07, 05), 0);
        assertThat(createAsUser(d, "granted")).as("granted through the mount").isZero();
        assertThat(createAsUser(d, "granted")).isZero();

        // A refusal the DPU kept would refuse on its own: only a grant shows that it was dropped.
        Xattrs.setxattr(onHost, "system.posix_acl_access", AccessAcl.of(AsUser.USER, 05, 07, 05), 0);
        assertThat(millisUntil(d, Errno.EACCES))
                .as("revoked on the host")
                .isLessThanOrEqualTo(HostChangeWatch.BOUND_MILLIS);
        Thread.sleep(2 * HostChangeWatch.BOUND_MILLIS); // the DPU's kernel knows: it reads the ACL again,
        assertThat(createAsUser(d, "refused")).isEqualTo(Errno.EACCES); // and the DPU keeps the refusal
        Xattrs.setxattr(onHost, "system.posix_acl_access", AccessAcl.of(AsUser.USER, 07, 07, 05), 0);
        assertThat(millisUntil(d, 0)).as("granted on the host").isLessThanOrEqualTo(HostChangeWatch.BOUND_MILLIS);
    }

    /** How long until a create by the user answers {@code errno}; fails after ten times the bound. */
    private static long millisUntil(Sides d, int errno) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; ; i++) {
            if (createAsUser(d, "try") == errno) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            assertThat((System.nanoTime() - start) / 1_000_000)
                    .as("still not errno %d", errno)
                    .isLessThan(10 * HostChangeWatch.BOUND_MILLIS);
            Thread.sleep(2);
        }
    }

    /** A create and unlink of {@code name} by the user: 0, or the create's errno. */
    private static int createAsUser(Sides d, String name) throws Exception {
        return AsUser.call(() -> {
            int errno = Sys.openErrno(d.mount(name), Flags.O_CREAT | Flags.O_WRONLY | Flags.O_EXCL, 0644);
            if (errno == 0) {
                PathCalls.unlinkat(Flags.AT_FDCWD, d.mount(name).toString(), 0);
            }
            return errno;
        });
    }

    private static Void createStatUnlink(Sides d, String prefix, int rounds) throws java.io.IOException {
        for (int i = 0; i < rounds; i++) {
            Path file = d.mount(prefix + i);
            Sys.close(Sys.open(file, Flags.O_CREAT | Flags.O_WRONLY, 0644));
            Metadata.statx(Flags.AT_FDCWD, file.toString(), 0);
            PathCalls.unlinkat(Flags.AT_FDCWD, file.toString(), 0);
        }
        return null;
    }

    /** mtime, ctime, nlink and size of the directory, on the DPU and on the host. */
    private static void assertSameAsHost(Sides d, String when) throws Exception {
        Thread.sleep(10); // the next change gets another timestamp than this one
        Stat onDpu = Metadata.statx(Flags.AT_FDCWD, d.mount().toString(), 0);
        Stat onHost = Metadata.statx(Flags.AT_FDCWD, d.host().toString(), 0);
        assertThat(attributes(onDpu)).as(when).isEqualTo(attributes(onHost));
    }

    private static String attributes(Stat st) {
        return "mtime " + st.mtimeSec() + "." + st.mtimeNsec() + " ctime " + st.ctimeSec() + "." + st.ctimeNsec()
                + " nlink " + st.nlink() + " size " + st.size();
    }
}
