package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Stat;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @TempDir
    static Path work;

    static PosixMount fs;

    @BeforeAll
    static void mount() throws Exception {
        fs = PosixMount.start(work, Allowlist.allowAll(), CachePolicy.TTL, false);
    }

    @AfterAll
    static void unmount() {
        fs.close();
    }

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
        long before = fs.pair.mount.forwarded();
        createStatUnlink(d, "f", ROUNDS);
        double perRound = (fs.pair.mount.forwarded() - before) / (double) ROUNDS;
        System.out.printf("requests per create+stat+unlink: %.2f%n", perRound);
        // 7.0 before: a GETATTR of the directory before each create and each unlink.
        assertThat(perRound).as("requests per create+stat+unlink").isLessThanOrEqualTo(5.5);
    }

    private static void createStatUnlink(Sides d, String prefix, int rounds) throws java.io.IOException {
        for (int i = 0; i < rounds; i++) {
            Path file = d.mount(prefix + i);
            Sys.close(Sys.open(file, Flags.O_CREAT | Flags.O_WRONLY, 0644));
            Metadata.statx(Flags.AT_FDCWD, file.toString(), 0);
            PathCalls.unlinkat(Flags.AT_FDCWD, file.toString(), 0);
        }
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
