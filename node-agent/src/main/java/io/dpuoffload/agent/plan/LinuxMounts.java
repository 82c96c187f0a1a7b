package io.dpuoffload.agent.plan;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Mounts;
import java.nio.file.Path;
import java.util.Map;

/** The {@link MountSystem} of this process's mount namespace. */
enum LinuxMounts implements MountSystem {
    INSTANCE;

    @Override
    public void mount(String source, Path target, String type, long flags, String data) throws ErrnoException {
        Mounts.mount(source, target.toString(), type, flags, data);
    }

    @Override
    public void unmount(Path target, int flags) throws ErrnoException {
        Mounts.umount2(target.toString(), flags);
    }

    @Override
    public Map<Path, String> sources() {
        return MountTable.sources();
    }
}
