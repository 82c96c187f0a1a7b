package io.dpuoffload.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The machine's cgroup hierarchies, to mount again in a simulated node. {@code ip netns exec}
 * mounts a fresh sysfs for the namespace, with nothing at /sys/fs/cgroup, and runc refuses to run
 * a container with "no cgroup mount found in mountinfo". Mounting a hierarchy again with the same
 * controllers (or name) gives the same hierarchy, so containers started in the node are in the
 * machine's cgroups, as on a real host.
 */
record CgroupMounts(List<Hierarchy> hierarchies) {
    private static final Path BASE = Path.of("/sys/fs/cgroup");

    /** One mount under /sys/fs/cgroup: where, which file system, its options. */
    record Hierarchy(String directory, String type, String options) {}

    /** The hierarchies mounted under /sys/fs/cgroup in this process's mount namespace. */
    static CgroupMounts ofThisMachine() throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
    }

    /** From mountinfo lines: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - TYPE SOURCE SUPEROPTS". */
    static CgroupMounts parse(List<String> mountinfo) {
        List<Hierarchy> found = new ArrayList<>();
        for (String line : mountinfo) {
            String[] halves = line.split(" - ", 2);
            String[] before = halves[0].split(" ");
            String[] after = halves.length == 2 ? halves[1].split(" ") : new String[0];
            if (after.length < 3 || before.length < 5) {
                continue;
            }
            Path mountPoint = Path.of(before[4]);
            String type = after[0];
            if (!mountPoint.startsWith(BASE) || mountPoint.equals(BASE)) {
                continue;
            }
            if (type.equals("cgroup2")) {
                found.add(new Hierarchy(BASE.relativize(mountPoint).toString(), type, "rw"));
            } else if (type.equals("cgroup")) {
                found.add(new Hierarchy(BASE.relativize(mountPoint).toString(), type, v1Options(after[2])));
            }
        }
        return new CgroupMounts(List.copyOf(found));
    }

    /** The controllers and name of a v1 hierarchy; a named one without controllers needs "none". */
    private static String v1Options(String superOptions) {
        List<String> options = Arrays.stream(superOptions.split(","))
                .filter(option -> !option.equals("rw") && !option.equals("ro"))
                .collect(Collectors.toCollection(ArrayList::new));
        if (options.stream().allMatch(option -> option.contains("="))) {
            options.addFirst("none");
        }
        return String.join(",", options);
    }

    /** Shell lines that mount a tmpfs at /sys/fs/cgroup and each hierarchy under it. */
    String script() {
        StringBuilder script = new StringBuilder("mount -t tmpfs -o mode=0755 cgroup /sys/fs/cgroup\n");
        for (Hierarchy h : hierarchies) {
            String dir = BASE.resolve(h.directory()).toString();
            script.append("mkdir -p '%s' && mount -t %s -o '%s' %s '%s'\n"
                    .formatted(dir, h.type(), h.options(), h.type(), dir));
        }
        return script.toString();
    }
}
