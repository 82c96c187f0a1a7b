package io.dpuoffload.cli.fs;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.fs.client.MountRecords;
import io.dpuoffload.fs.client.MountReporter;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Mounts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code offloadctl fs umount MOUNTPOINT}: detaches the mount; the {@code fs mount} process serving
 * it sees its device close and exits by itself.
 */
@Command(name = "umount", mixinStandardHelpOptions = true, description = "Unmount an offload-fs mount.")
final class FsUmountCommand implements Callable<Integer> {
    /** How long to wait for the serving process to notice and exit. */
    private static final Duration WAIT_FOR_SERVER = Duration.ofSeconds(5);

    @Parameters(paramLabel = "MOUNTPOINT", description = "Where the export is mounted.")
    Path mountpoint;

    @Override
    public Integer call() throws Exception {
        var record = MountRecords.readAll().stream()
                .filter(r -> Path.of(r.mountpoint())
                        .equals(mountpoint.toAbsolutePath().normalize()))
                .findFirst();
        if (record.isPresent() && record.get().alive() && !record.get().owner().equals(MountReporter.FS_MOUNT)) {
            // Its process is an agent: SIGTERM would take its whole root down, and the share alone
            // unmounted under its daemons would leave them an empty directory.
            throw new BadInputException(
                    mountpoint + " is a share of " + record.get().owner() + " (pid "
                            + record.get().pid() + "); stop that agent instead (`offloadctl agent stop`)");
        }
        try {
            Mounts.umount2(mountpoint.toString(), Mounts.MNT_DETACH);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EINVAL) {
                throw new BadInputException(mountpoint + " is not a mount point (see `offloadctl fs status`)");
            }
            throw e;
        }
        if (record.isPresent() && record.get().alive()) {
            // The process serving the mount unmounts cleanly on SIGTERM too; ask it, then wait.
            ProcessHandle.of(record.get().pid()).ifPresent(ProcessHandle::destroy);
            long deadline = System.nanoTime() + WAIT_FOR_SERVER.toNanos();
            while (record.get().alive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
        MountRecords.remove(mountpoint);
        System.out.println("unmounted " + mountpoint);
        return ExitCodes.OK;
    }
}
