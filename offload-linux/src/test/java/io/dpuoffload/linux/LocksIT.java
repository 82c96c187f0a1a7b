package io.dpuoffload.linux;

import static io.dpuoffload.linux.Flags.O_CREAT;
import static io.dpuoffload.linux.Flags.O_RDWR;
import static io.dpuoffload.linux.Locks.F_GETLK;
import static io.dpuoffload.linux.Locks.F_OFD_GETLK;
import static io.dpuoffload.linux.Locks.F_OFD_SETLK;
import static io.dpuoffload.linux.Locks.F_OFD_SETLKW;
import static io.dpuoffload.linux.Locks.F_RDLCK;
import static io.dpuoffload.linux.Locks.F_SETLK;
import static io.dpuoffload.linux.Locks.F_UNLCK;
import static io.dpuoffload.linux.Locks.F_WRLCK;
import static io.dpuoffload.linux.OpenAt2IT.assertErrno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** flock, OFD and POSIX record locks; two opens of one file stand for two owners. */
class LocksIT {
    @TempDir
    Path tmp;

    private final Fds fds = new Fds();
    private int a;
    private int b;

    @BeforeEach
    void open() throws IOException {
        int dir = fds.dir(tmp);
        a = fds.open(dir, "locked", O_RDWR | O_CREAT);
        b = fds.open(dir, "locked", O_RDWR);
    }

    @AfterEach
    void close() {
        fds.close();
    }

    @Test
    void flockExcludesAnotherOpenFileDescription() throws IOException {
        Locks.flock(a, Locks.LOCK_EX);
        assertErrno(() -> Locks.flock(b, Locks.LOCK_EX | Locks.LOCK_NB), Errno.EWOULDBLOCK);
        assertErrno(() -> Locks.flock(b, Locks.LOCK_SH | Locks.LOCK_NB), Errno.EWOULDBLOCK);
        Locks.flock(a, Locks.LOCK_UN);
        Locks.flock(b, Locks.LOCK_SH | Locks.LOCK_NB);
        Locks.flock(a, Locks.LOCK_SH | Locks.LOCK_NB); // shared with shared is fine
    }

    @Test
    void ofdLocksConflictBetweenOpenFileDescriptions() throws IOException {
        Locks.setLock(a, F_OFD_SETLK, RecordLock.of(F_WRLCK, 0, 100));

        RecordLock conflict = Locks.getLock(b, F_OFD_GETLK, RecordLock.of(F_WRLCK, 50, 10));
        assertThat(conflict.type()).isEqualTo(F_WRLCK);
        assertThat(conflict.start()).isZero();
        assertThat(conflict.length()).isEqualTo(100);
        assertThat(conflict.pid()).isEqualTo(-1); // an OFD lock has no owning process

        assertErrno(() -> Locks.setLock(b, F_OFD_SETLK, RecordLock.of(F_RDLCK, 99, 1)), Errno.EAGAIN);
        Locks.setLock(b, F_OFD_SETLK, RecordLock.of(F_WRLCK, 100, 10)); // next to it: fine
        assertThat(Locks.getLock(b, F_OFD_GETLK, RecordLock.of(F_WRLCK, 200, 0)).isUnlocked())
                .isTrue();

        Locks.setLock(a, F_OFD_SETLK, RecordLock.of(F_UNLCK, 0, 0));
        Locks.setLock(b, F_OFD_SETLK, RecordLock.of(F_WRLCK, 0, 100));
    }

    @Test
    void readLocksShare() throws IOException {
        Locks.setLock(a, F_OFD_SETLK, RecordLock.of(F_RDLCK, 0, 0));
        Locks.setLock(b, F_OFD_SETLK, RecordLock.of(F_RDLCK, 0, 0));
        assertErrno(() -> Locks.setLock(b, F_OFD_SETLK, RecordLock.of(F_WRLCK, 0, 1)), Errno.EAGAIN);
    }

    @Test
    void posixLocksSeeOfdLocksButNotTheirOwnProcess() throws IOException {
        Locks.setLock(a, F_OFD_SETLK, RecordLock.of(F_WRLCK, 0, 10));
        RecordLock seen = Locks.getLock(b, F_GETLK, RecordLock.of(F_RDLCK, 0, 10));
        assertThat(seen.type()).isEqualTo(F_WRLCK);
        assertThat(seen.pid()).isEqualTo(-1);
        assertErrno(() -> Locks.setLock(b, F_SETLK, RecordLock.of(F_RDLCK, 0, 10)), Errno.EAGAIN);

        // A process never conflicts with its own POSIX locks: the reason a server uses OFD locks.
        Locks.setLock(b, F_SETLK, RecordLock.of(F_WRLCK, 1000, 10));
        assertThat(Locks.getLock(a, F_GETLK, RecordLock.of(F_WRLCK, 1000, 10)).isUnlocked())
                .isTrue();
        Locks.setLock(a, F_SETLK, RecordLock.of(F_WRLCK, 1000, 10));
    }

    @Test
    void aWaitingLockIsGrantedWhenTheHolderUnlocks() throws Exception {
        Locks.setLock(a, F_OFD_SETLK, RecordLock.of(F_WRLCK, 0, 0));
        CompletableFuture<Void> waiter = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("lock-waiter").start(() -> {
            try {
                Locks.setLock(b, F_OFD_SETLKW, RecordLock.of(F_WRLCK, 0, 0));
                waiter.complete(null);
            } catch (Throwable e) {
                waiter.completeExceptionally(e);
            }
        });
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !waiter.isDone());
        Locks.setLock(a, F_OFD_SETLK, RecordLock.of(F_UNLCK, 0, 0));
        waiter.get(5, TimeUnit.SECONDS);
        t.join(5_000);
        assertThat(Locks.getLock(a, F_OFD_GETLK, RecordLock.of(F_RDLCK, 0, 0)).type())
                .isEqualTo(F_WRLCK);
    }

    @Test
    void refusesCommandsOfTheWrongKind() {
        assertThatThrownBy(() -> Locks.getLock(a, F_SETLK, RecordLock.of(F_WRLCK, 0, 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Locks.setLock(a, F_GETLK, RecordLock.of(F_WRLCK, 0, 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Locks.setLock(a, F_OFD_SETLK, RecordLock.of(7, 0, 0)))
                .hasMessage("fcntl(F_OFD_SETLK): Invalid argument (EINVAL)");
    }
}
