package io.dpuoffload.linux;

import static io.dpuoffload.linux.Flags.O_CLOEXEC;
import static io.dpuoffload.linux.Flags.O_CREAT;
import static io.dpuoffload.linux.Flags.O_EXCL;
import static io.dpuoffload.linux.Flags.O_RDONLY;
import static io.dpuoffload.linux.Flags.O_WRONLY;
import static io.dpuoffload.linux.Flags.RESOLVE_BENEATH;
import static io.dpuoffload.linux.OpenAt2IT.assertErrno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-thread file-system identity: permission checks and owners as for the user served, then root again. */
class ThreadCredentialsIT {
    private static final int NOBODY = 65534;
    private static final int USER = 1000;
    private static final int GROUP = 1000;
    private static final int SHARED_GROUP = 4242;
    private static final int[] NO_GROUPS = {};

    @TempDir
    Path tmp;

    private final Fds fds = new Fds();
    private int dir;
    private int[] groupsBefore;

    @BeforeAll
    static void root() throws IOException {
        Fds.requireRoot();
    }

    @BeforeEach
    void openWorldReachableDir() throws IOException {
        Metadata.fchmodat(Flags.AT_FDCWD, tmp.toString(), 0777, 0); // JUnit makes it 0700
        dir = fds.dir(tmp);
        Files.writeString(tmp.resolve("root-only"), "secret");
        Metadata.fchmodat(dir, "root-only", 0600, 0);
        Files.writeString(tmp.resolve("group-readable"), "for the group");
        Metadata.fchownat(dir, "group-readable", 0, SHARED_GROUP, 0);
        Metadata.fchmodat(dir, "group-readable", 0640, 0);
        groupsBefore = ThreadCredentials.groups();
    }

    @AfterEach
    void close() throws IOException {
        fds.close();
        assertRoot();
    }

    @Test
    void anotherUserCannotReadARootOnlyFile() throws IOException {
        assertErrno(() -> ThreadCredentials.callAs(NOBODY, NOBODY, NO_GROUPS, () -> open("root-only")), Errno.EACCES);
        assertErrno(
                () -> ThreadCredentials.callAs(NOBODY, NOBODY, NO_GROUPS, () -> {
                    PathCalls.faccessat2(dir, "root-only", Flags.R_OK, Flags.AT_EACCESS);
                    return null;
                }),
                Errno.EACCES);
        FileCalls.close(open("root-only")); // and root still can
    }

    @Test
    void filesAreCreatedWithTheCallersOwner() throws IOException {
        ThreadCredentials.callAs(USER, GROUP, NO_GROUPS, () -> {
            FileCalls.close(
                    FileCalls.openat2(dir, "mine", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644, RESOLVE_BENEATH));
            PathCalls.mkdirat(dir, "my-dir", 0755);
            return null;
        });
        Stat mine = Metadata.statx(dir, "mine", 0);
        assertThat(mine.uid()).isEqualTo(USER);
        assertThat(mine.gid()).isEqualTo(GROUP);
        assertThat(Metadata.statx(dir, "my-dir", 0).uid()).isEqualTo(USER);
    }

    @Test
    void supplementaryGroupsGrantGroupAccess() throws IOException {
        int fd = ThreadCredentials.callAs(USER, GROUP, new int[] {SHARED_GROUP}, () -> open("group-readable"));
        FileCalls.close(fd);
        assertErrno(() -> ThreadCredentials.callAs(USER, GROUP, NO_GROUPS, () -> open("group-readable")), Errno.EACCES);
        FileCalls.close(ThreadCredentials.callAs(USER, SHARED_GROUP, NO_GROUPS, () -> open("group-readable")));
    }

    @Test
    void theFileSystemCapabilitiesAreDropped() throws IOException {
        ThreadCredentials.callAs(USER, GROUP, NO_GROUPS, () -> {
            FileCalls.close(FileCalls.openat(dir, "own", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
            // CAP_CHOWN is gone: even one's own file cannot be given away
            assertErrno(() -> Metadata.fchownat(dir, "own", NOBODY, -1, 0), Errno.EPERM);
            // CAP_FOWNER is gone: someone else's file cannot be chmod-ed
            assertErrno(() -> Metadata.fchmodat(dir, "root-only", 0644, 0), Errno.EPERM);
            // CAP_MKNOD is gone
            assertErrno(() -> PathCalls.mknodat(dir, "dev", Flags.S_IFCHR | 0600, Stat.makedev(1, 3)), Errno.EPERM);
            return null;
        });
    }

    @Test
    void onlyTheCallingThreadChanges() throws Exception {
        // A thread that exists before the switch keeps root's identity throughout.
        CompletableFuture<Void> look = new CompletableFuture<>();
        CompletableFuture<String> other = new CompletableFuture<>();
        Thread bystander = Thread.ofPlatform().start(() -> {
            try {
                look.get(10, TimeUnit.SECONDS);
                other.complete(statusLine("Uid:") + " | " + statusLine("Groups:"));
            } catch (Exception e) {
                other.completeExceptionally(e);
            }
        });
        String[] inside = new String[2];
        ThreadCredentials.callAs(USER, GROUP, new int[] {SHARED_GROUP, 7}, () -> {
            inside[0] = statusLine("Uid:") + " | " + statusLine("Gid:") + " | " + statusLine("Groups:");
            look.complete(null);
            try {
                inside[1] = other.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException(e);
            }
            assertThat(ThreadCredentials.fsuid()).isEqualTo(USER);
            assertThat(ThreadCredentials.fsgid()).isEqualTo(GROUP);
            assertThat(ThreadCredentials.groups()).containsExactly(7, SHARED_GROUP); // the kernel sorts them
            return null;
        });
        bystander.join(5_000);
        // real, effective, saved, fs: only the fs ids move
        assertThat(inside[0]).isEqualTo("Uid:\t0\t0\t0\t1000 | Gid:\t0\t0\t0\t1000 | Groups:\t7 4242");
        assertThat(inside[1]).startsWith("Uid:\t0\t0\t0\t0 | Groups:").doesNotContain("4242");
    }

    @Test
    void aThreadStartedInsideInheritsTheIdentityForGood() throws Exception {
        // clone() copies the creator's credentials: never start threads (or lazily started pools) inside callAs.
        CompletableFuture<String> child = new CompletableFuture<>();
        ThreadCredentials.callAs(USER, GROUP, NO_GROUPS, () -> {
            Thread.ofPlatform().start(() -> {
                try {
                    child.complete(statusLine("Uid:"));
                } catch (IOException e) {
                    child.completeExceptionally(e);
                }
            });
            return null;
        });
        assertThat(child.get(5, TimeUnit.SECONDS)).isEqualTo("Uid:\t0\t0\t0\t1000");
        assertRoot(); // while the caller itself is root again
    }

    @Test
    void restoredAfterAnExceptionAndAcrossNesting() throws IOException {
        assertThatThrownBy(() -> ThreadCredentials.callAs(USER, GROUP, new int[] {SHARED_GROUP}, () -> {
                    throw new ErrnoException("test", Errno.EIO);
                }))
                .hasMessage("test: Input/output error (EIO)");
        assertRoot();
        assertThatThrownBy(() -> ThreadCredentials.callAs(USER, GROUP, NO_GROUPS, () -> {
                    throw new UncheckedIOException(new IOException("boom"));
                }))
                .isInstanceOf(UncheckedIOException.class);
        assertRoot();

        ThreadCredentials.callAs(USER, GROUP, new int[] {SHARED_GROUP}, () -> {
            ThreadCredentials.callAs(NOBODY, NOBODY, NO_GROUPS, () -> {
                assertThat(ThreadCredentials.fsuid()).isEqualTo(NOBODY);
                return null;
            });
            assertThat(ThreadCredentials.fsuid()).isEqualTo(USER);
            assertThat(ThreadCredentials.fsgid()).isEqualTo(GROUP);
            assertThat(ThreadCredentials.groups()).containsExactly(SHARED_GROUP);
            return null;
        });
    }

    /**
     * The thread's own identity (a root caller of a root server) is switched to by changing nothing,
     * and what only partly differs changes only that part; through it all, and around the file-system
     * root's calls inside, every step sees exactly its identity and the thread ends as root.
     */
    @Test
    void theSameIdentitySwitchesNothingAndEveryMixStaysExact() throws IOException {
        int[] own = ThreadCredentials.groups();
        ThreadCredentials.callAs(0, 0, own, () -> {
            assertRoot();
            ThreadCredentials.callAs(0, GROUP, own, () -> {
                assertThat(ThreadCredentials.fsuid()).isZero();
                assertThat(ThreadCredentials.fsgid()).isEqualTo(GROUP);
                ThreadCredentials.callAs(USER, GROUP, new int[] {SHARED_GROUP}, () -> {
                    ThreadCredentials.callAsFsRoot(() -> {
                        assertThat(ThreadCredentials.fsuid()).isZero();
                        ThreadCredentials.callAs(NOBODY, GROUP, new int[] {SHARED_GROUP}, () -> {
                            assertThat(ThreadCredentials.fsuid()).isEqualTo(NOBODY);
                            assertThat(ThreadCredentials.groups()).containsExactly(SHARED_GROUP);
                            return null;
                        });
                        assertThat(ThreadCredentials.fsuid()).isZero();
                        return null;
                    });
                    assertThat(ThreadCredentials.fsuid()).isEqualTo(USER);
                    assertThat(ThreadCredentials.groups()).containsExactly(SHARED_GROUP);
                    return null;
                });
                assertThat(ThreadCredentials.fsuid()).isZero();
                assertThat(ThreadCredentials.groups()).isEqualTo(own);
                return null;
            });
            assertRoot();
            return null;
        });
        assertRoot();
        assertThat(ThreadCredentials.callAs(USER, USER, NO_GROUPS, ThreadCredentials::fsuid))
                .as("a switch after all that still switches")
                .isEqualTo(USER);
        assertRoot();
    }

    @Test
    void aPoolThreadServesManyUsersInTurn() throws Exception {
        // What a server does: one platform thread, a different identity per request.
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 200; i++) {
                    int uid = i % 2 == 0 ? NOBODY : USER;
                    int got = ThreadCredentials.callAs(uid, uid, NO_GROUPS, ThreadCredentials::fsuid);
                    assertThat(got).isEqualTo(uid);
                    assertThat(ThreadCredentials.fsuid()).isZero();
                }
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.get(30, TimeUnit.SECONDS);
    }

    private int open(String name) throws ErrnoException {
        return FileCalls.openat2(dir, name, O_RDONLY | O_CLOEXEC, 0, RESOLVE_BENEATH);
    }

    private void assertRoot() throws IOException {
        assertThat(ThreadCredentials.fsuid()).isZero();
        assertThat(ThreadCredentials.fsgid()).isZero();
        assertThat(ThreadCredentials.groups()).isEqualTo(groupsBefore);
        assertThat(statusLine("Uid:")).isEqualTo("Uid:\t0\t0\t0\t0");
    }

    /** The calling thread's own line of /proc/thread-self/status. */
    private static String statusLine(String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
                .filter(l -> l.startsWith(key))
                .findFirst()
                .orElseThrow()
                .strip();
    }
}
