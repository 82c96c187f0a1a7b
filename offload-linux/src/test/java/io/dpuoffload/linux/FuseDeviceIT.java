package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real FUSE mount served from Java through /dev/fuse: INIT arrives, a request makes the round trip, and
 * unmounting ends the session. Every mount is lazily unmounted and the device closed in {@link #cleanUp},
 * which also releases any thread stuck in the file system.
 */
class FuseDeviceIT {
    // The few protocol numbers this test needs (linux/fuse.h); the protocol itself belongs to offload-fs.
    private static final int FUSE_GETATTR = 3;
    private static final int FUSE_INIT = 26;
    private static final int FUSE_ROOT_ID = 1;
    private static final int IN_HEADER = 40;
    private static final int OUT_HEADER = 16;
    private static final int INIT_OUT = 64;
    private static final int WAIT_MILLIS = 5_000;
    /** FUSE_MIN_READ_BUFFER is 8 KiB; a server that accepts 1 MiB writes reads into 1 MiB + a page. */
    private static final int READ_BUFFER = 1024 * 1024 + 4096;

    @TempDir
    Path tmp;

    private final Fds fds = new Fds();
    private final Arena arena = Arena.ofShared();
    private String mountpoint;
    private int fd;
    private boolean mounted;

    @BeforeAll
    static void root() throws IOException {
        Fds.requireRoot();
    }

    @BeforeEach
    void mount() throws IOException {
        Metadata.fchmodat(Flags.AT_FDCWD, tmp.toString(), 0755, 0);
        mountpoint = Files.createDirectory(tmp.resolve("mnt")).toString();
        fd = fds.add(FuseDevice.open());
        String options = FuseDevice.mountOptions(fd, 0, 0, true, null);
        assertThat(options).isEqualTo("fd=" + fd + ",rootmode=40000,user_id=0,group_id=0,allow_other");
        FuseDevice.mount("offload-test", mountpoint, "offloadtest", Mounts.MS_NOSUID | Mounts.MS_NODEV, options);
        mounted = true;
    }

    @AfterEach
    void cleanUp() throws IOException {
        try {
            unmount();
        } finally {
            fds.close(); // closing the last descriptor aborts the connection: nobody stays stuck in it
            arena.close();
        }
        assertThat(MountInfo.anyUnder(tmp)).as("a FUSE mount left behind").isFalse();
    }

    @Test
    void initArrivesAndUnmountEndsTheSession() throws IOException {
        MemorySegment buf = arena.allocate(READ_BUFFER, 8);
        Request init = nextRequest(fd, buf);
        assertThat(init.opcode).isEqualTo(FUSE_INIT);
        assertThat(init.length).isEqualTo(IN_HEADER + 64); // fuse_init_in
        assertThat(init.unique).isNotZero();
        assertThat(init.nodeid).isZero();
        assertThat(buf.get(JAVA_INT, IN_HEADER)).as("major").isEqualTo(7);
        assertThat(buf.get(JAVA_INT, IN_HEADER + 4)).as("minor").isGreaterThanOrEqualTo(31);

        // Refuse the session: the kernel marks the connection failed and every access says so.
        reply(fd, init.unique, -Errno.EPROTO);
        OpenAt2IT.assertErrno(
                () -> Metadata.statx(Flags.AT_FDCWD, mountpoint, Flags.AT_STATX_FORCE_SYNC), Errno.ECONNREFUSED);

        unmount();
        assertThat(Poll.poll(fd, Poll.POLLIN, WAIT_MILLIS) & Poll.POLLERR).isNotZero();
        OpenAt2IT.assertErrno(() -> FuseDevice.read(fd, buf), Errno.ENODEV);
    }

    @Test
    void aRequestRoundTripsThroughAClonedDescriptor() throws Exception {
        MemorySegment buf = arena.allocate(READ_BUFFER, 8);
        Request init = nextRequest(fd, buf);
        assertThat(init.opcode).isEqualTo(FUSE_INIT);
        replyInit(fd, init.unique, buf.get(JAVA_INT, IN_HEADER + 8));

        int clone = fds.add(FuseDevice.cloneSession(fd));

        // A caller with another identity stats the mount's root; we answer EIO.
        CompletableFuture<Throwable> caller = new CompletableFuture<>();
        Thread.ofPlatform().name("fuse-caller").start(() -> {
            try {
                ThreadCredentials.callAs(
                        1000,
                        1001,
                        new int[0],
                        () -> Metadata.statx(Flags.AT_FDCWD, mountpoint, Flags.AT_STATX_FORCE_SYNC));
                caller.complete(null);
            } catch (Throwable t) {
                caller.complete(t);
            }
        });
        Request getattr = nextRequest(clone, buf);
        assertThat(getattr.opcode).isEqualTo(FUSE_GETATTR);
        assertThat(getattr.nodeid).isEqualTo(FUSE_ROOT_ID);
        assertThat(getattr.uid).as("the caller's fsuid").isEqualTo(1000);
        assertThat(getattr.gid).as("the caller's fsgid").isEqualTo(1001);
        assertThat(getattr.pid).isPositive();
        reply(clone, getattr.unique, -Errno.EIO);
        assertThat(caller.get(WAIT_MILLIS, TimeUnit.MILLISECONDS))
                .isInstanceOfSatisfying(
                        ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));

        // A reply to a request the kernel no longer waits for: ENOENT, which a server ignores.
        OpenAt2IT.assertErrno(() -> reply(clone, 0x7fff_0000L, -Errno.EIO), Errno.ENOENT);
        // A reply whose header lies about its length: EINVAL.
        MemorySegment bad = arena.allocate(OUT_HEADER);
        bad.set(JAVA_INT, 0, 100);
        bad.set(JAVA_LONG, 8, 5);
        OpenAt2IT.assertErrno(() -> FuseDevice.write(clone, bad, OUT_HEADER), Errno.EINVAL);

        unmount();
        OpenAt2IT.assertErrno(() -> FuseDevice.read(clone, buf), Errno.ENODEV);
    }

    private record Request(int length, int opcode, long unique, long nodeid, int uid, int gid, int pid) {}

    /** Waits (bounded) for the next request and reads its header. */
    private static Request nextRequest(int fd, MemorySegment buf) throws ErrnoException {
        assertThat(Poll.poll(fd, Poll.POLLIN, WAIT_MILLIS) & Poll.POLLIN)
                .as("a request within 5 s")
                .isNotZero();
        int n = FuseDevice.read(fd, buf);
        assertThat(n).isGreaterThanOrEqualTo(IN_HEADER).isEqualTo(buf.get(JAVA_INT, 0));
        return new Request(
                n,
                buf.get(JAVA_INT, 4),
                buf.get(JAVA_LONG, 8),
                buf.get(JAVA_LONG, 16),
                buf.get(JAVA_INT, 24),
                buf.get(JAVA_INT, 28),
                buf.get(JAVA_INT, 32));
    }

    private void reply(int fd, long unique, int negativeErrno) throws ErrnoException {
        MemorySegment out = arena.allocate(OUT_HEADER);
        out.set(JAVA_INT, 0, OUT_HEADER);
        out.set(JAVA_INT, 4, negativeErrno);
        out.set(JAVA_LONG, 8, unique);
        assertThat(FuseDevice.write(fd, out, OUT_HEADER)).isEqualTo(OUT_HEADER);
    }

    /** The smallest INIT reply the kernel accepts: protocol 7.31, no optional features. */
    private void replyInit(int fd, long unique, int maxReadahead) throws ErrnoException {
        MemorySegment out = arena.allocate(OUT_HEADER + INIT_OUT); // zeroed
        out.set(JAVA_INT, 0, OUT_HEADER + INIT_OUT);
        out.set(JAVA_LONG, 8, unique);
        out.set(JAVA_INT, 16, 7); // major
        out.set(JAVA_INT, 20, 31); // minor
        out.set(JAVA_INT, 24, maxReadahead);
        out.set(JAVA_SHORT, 32, (short) 12); // max_background
        out.set(JAVA_INT, 36, 128 * 1024); // max_write
        out.set(JAVA_INT, 40, 1); // time_gran: nanoseconds
        assertThat(FuseDevice.write(fd, out, out.byteSize())).isEqualTo(OUT_HEADER + INIT_OUT);
    }

    private void unmount() throws ErrnoException {
        if (mounted) {
            mounted = false;
            Mounts.umount2(mountpoint, Mounts.MNT_DETACH);
        }
    }
}
