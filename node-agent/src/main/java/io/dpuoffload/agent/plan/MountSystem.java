package io.dpuoffload.agent.plan;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Mounts;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the {@link PlanApplier} asks of the kernel: mount, unmount and read this namespace's mount
 * table. One implementation does it ({@link #linux()}); the unit tests give the applier a table of
 * their own, so that apply, adopt and undo are checked without root. Mount points themselves are
 * files and directories, made and removed through {@link java.nio.file.Files}.
 */
public interface MountSystem {
    /** mount(2); {@code flags} are {@link Mounts}' {@code MS_*}. */
    void mount(String source, Path target, String type, long flags, String data) throws ErrnoException;

    /** umount2(2); {@code flags} 0 or {@link Mounts#MNT_DETACH}. */
    void unmount(Path target, int flags) throws ErrnoException;

    /** Each mount point with the source of the mount on top there (for the agent's tmpfs, "dpuoffload"). */
    Map<Path, String> sources();

    /** This process's mount namespace, through the system calls and /proc/self/mountinfo. */
    static MountSystem linux() {
        return LinuxMounts.INSTANCE;
    }
}
