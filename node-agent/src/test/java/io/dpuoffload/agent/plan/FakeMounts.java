package io.dpuoffload.agent.plan;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Mounts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A mount table the test keeps: mounts are entries, unmounting one that is not there is EINVAL as
 * in the kernel, and a target can be made to fail (EPERM) or to be busy (EBUSY until detached).
 */
final class FakeMounts implements MountSystem {
    /** Mount point to source, as {@code /proc/self/mountinfo} would list them. */
    final Map<Path, String> table = new LinkedHashMap<>();
    /** What was asked, in order: "mount T", "private T", "umount T", "detach T". */
    final List<String> calls = new ArrayList<>();

    private final Map<Path, Integer> failures = new HashMap<>();

    void failMounting(Path target) {
        failures.put(target, Errno.EPERM);
    }

    /** Unmounting it without detaching fails (a recursive bind holding mounts below it). */
    void busy(Path target) {
        failures.put(target, Errno.EBUSY);
    }

    @Override
    public void mount(String source, Path target, String type, long flags, String data) throws ErrnoException {
        if (failures.get(target) instanceof Integer errno && errno == Errno.EPERM) {
            throw new ErrnoException("mount", target.toString().getBytes(), errno);
        }
        if ((flags & Mounts.MS_PRIVATE) != 0) {
            calls.add("private " + target);
            return;
        }
        calls.add("mount " + target);
        table.put(target, source);
    }

    @Override
    public void unmount(Path target, int flags) throws ErrnoException {
        boolean detach = (flags & Mounts.MNT_DETACH) != 0;
        calls.add((detach ? "detach " : "umount ") + target);
        if (!table.containsKey(target)) {
            throw new ErrnoException("umount2", target.toString().getBytes(), Errno.EINVAL);
        }
        if (!detach && failures.get(target) instanceof Integer errno && errno == Errno.EBUSY) {
            throw new ErrnoException("umount2", target.toString().getBytes(), errno);
        }
        table.remove(target);
    }

    @Override
    public Map<Path, String> sources() {
        return Map.copyOf(table);
    }
}
