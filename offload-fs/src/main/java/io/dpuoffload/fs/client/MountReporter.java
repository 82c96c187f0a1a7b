package io.dpuoffload.fs.client;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one mount's {@link MountRecords record} for {@code offloadctl fs status}: written now and
 * every few seconds while the mount lives, removed at {@link #close()}. A record that cannot be
 * written costs the mount nothing: the status is a convenience.
 */
public final class MountReporter implements AutoCloseable {
    /** The owner of a mount that {@code offloadctl fs mount} keeps (its process serves nothing else). */
    public static final String FS_MOUNT = "fs mount";

    /** How old a record's channel state and counters may be. */
    public static final Duration INTERVAL = Duration.ofSeconds(2);

    /** One thread for every mount of the process: a record is a small file written every few seconds. */
    private static final ScheduledExecutorService WRITER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("fs-mount-records").factory());

    /**
     * A record whose figures have not changed is written again only this often: an idle agent's
     * mounts then cost no writes, and the record's time still says its owner lives.
     */
    public static final Duration UNCHANGED_INTERVAL = Duration.ofSeconds(30);

    private final FsMount mount;
    private final String server;
    private final String owner;
    private final ScheduledFuture<?> writes;
    private MountRecords.Record lastWritten; // on the writer's thread only

    private MountReporter(FsMount mount, String server, String owner) {
        this.mount = mount;
        this.server = server;
        this.owner = owner;
        this.writes = WRITER.scheduleWithFixedDelay(this::write, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts reporting {@code mount}, served by {@code server}, kept by {@code owner} ("fs mount", an agent). */
    public static MountReporter start(FsMount mount, String server, String owner) {
        return new MountReporter(mount, server, owner);
    }

    private void write() {
        long now = System.currentTimeMillis();
        var record = new MountRecords.Record(
                mount.mountpoint().toString(),
                mount.export(),
                server,
                ProcessHandle.current().pid(),
                owner,
                mount.connected(),
                mount.forwarded(),
                mount.failed(),
                now);
        if (lastWritten != null
                && record.withUpdatedMillis(0).equals(lastWritten.withUpdatedMillis(0))
                && now - lastWritten.updatedMillis() < UNCHANGED_INTERVAL.toMillis()) {
            return;
        }
        try {
            MountRecords.write(record);
            lastWritten = record;
        } catch (IOException e) {
            // the next write tries again; fs status shows the record's age meanwhile
        }
    }

    @Override
    public void close() {
        writes.cancel(false);
        // A write under way may finish after this removal and leave the record behind: remove it on the
        // writer's thread, after any write already queued there.
        try {
            WRITER.submit(() -> MountRecords.remove(mount.mountpoint())).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            MountRecords.remove(mount.mountpoint());
        }
    }
}
