package io.dpuoffload.agent.plan;

import io.dpuoffload.api.spec.Profile;
import io.dpuoffload.api.spec.RootFile;
import io.dpuoffload.api.spec.RootGroup;
import io.dpuoffload.api.spec.RootUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The offload root's layout, computed from the profiles and what the DPU has (asked through {@link
 * DpuSystem}; nothing is changed here): the DPU's own system
 * (its binaries, libraries, /etc and /var), its /dev, /dev/shm and mqueue, its /proc at
 * /local_proc, its /run (kept in the agent's state) and a fresh /tmp, then the host's directories
 * through offload-fs, then the profiles' files and accounts, then the exec shims. Applied in this order and
 * undone in reverse.
 */
public record MountPlan(Path root, List<MountStep> steps) {
    /** The DPU's system directories the root shows, when the DPU has them. */
    static final List<String> SYSTEM = List.of(
            "bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "opt", "var", "root", "home", "srv");

    /** What the plan needs to know about the DPU's own root file system. */
    public interface DpuSystem {
        boolean isDirectory(Path path);

        /** The link's target when {@code path} is a symbolic link, else null. */
        Path symlinkTarget(Path path);

        /**
         * The text of the DPU's file at {@code path} (as the agent sees it, under {@link #root()}),
         * empty when there is none: the accounts files the root's are made from.
         *
         * @throws UncheckedIOException when it is there but cannot be read
         */
        default String readFile(Path path) {
            try {
                return Files.exists(path) ? Files.readString(path) : "";
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the DPU's " + path + ": " + e.getMessage(), e);
            }
        }

        /**
         * Where the DPU's own root file system is, as the agent sees it: {@code /} for an agent on the
         * node itself; in a pod, the node's {@code /} mounted into it (the image's own files are
         * the agent's, never the daemons').
         */
        default Path root() {
            return Path.of("/");
        }

        static DpuSystem real() {
            return real(Path.of("/"));
        }

        static DpuSystem real(Path root) {
            return new DpuSystem() {
                @Override
                public Path root() {
                    return root;
                }

                @Override
                public boolean isDirectory(Path path) {
                    return Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                }

                @Override
                public Path symlinkTarget(Path path) {
                    try {
                        return Files.isSymbolicLink(path) ? Files.readSymbolicLink(path) : null;
                    } catch (IOException e) {
                        return null;
                    }
                }
            };
        }
    }

    public static MountPlan compute(Path root, Path state, List<Profile> profiles, DpuSystem dpu) {
        List<MountStep> steps = new ArrayList<>();
        steps.add(new MountStep.Tmpfs(root, "mode=0755,size=16m"));
        Path system = dpu.root();
        for (String name : SYSTEM) {
            Path source = system.resolve(name);
            Path link = dpu.symlinkTarget(source);
            if (link != null) {
                steps.add(new MountStep.Symlink(root.resolve(name), link));
            } else if (dpu.isDirectory(source)) {
                steps.add(new MountStep.Bind(source, root.resolve(name), true));
            }
        }
        steps.add(new MountStep.Bind(system.resolve("dev"), root.resolve("dev"), true));
        steps.add(new MountStep.Private(root));
        steps.add(new MountStep.Tmpfs(root.resolve("dev/shm"), "mode=1777"));
        steps.add(new MountStep.Mqueue(root.resolve("dev/mqueue")));
        steps.add(new MountStep.Bind(system.resolve("proc"), root.resolve("local_proc"), true));
        // Kept across agent restarts: the daemons' state there (libvirt's running domains, with the
        // pids of their QEMU stand-ins) is how a restarted libvirtd finds its VMs again.
        steps.add(new MountStep.Bind(runDirectory(state), root.resolve("run"), false));
        steps.add(new MountStep.Tmpfs(root.resolve("tmp"), "mode=1777"));
        Map<Path, io.dpuoffload.api.spec.Share> shares = new LinkedHashMap<>();
        for (Profile profile : profiles) {
            for (io.dpuoffload.api.spec.Share share : profile.shares()) {
                io.dpuoffload.api.spec.Share earlier = shares.putIfAbsent(share.path(), share);
                if (earlier != null && !earlier.equals(share)) {
                    throw new IllegalArgumentException("two profiles share different host directories at "
                            + share.path() + " (" + earlier.name() + " and " + share.name() + ")");
                }
            }
        }
        // Parents before children: /var/lib/libvirt before /var/lib/libvirt/images.
        shares.values().stream()
                .sorted(java.util.Comparator.comparingInt(s -> s.path().getNameCount()))
                .forEach(share -> steps.add(new MountStep.Share(inRoot(root, share.path()), share)));
        Map<Path, RootFile> files = new LinkedHashMap<>();
        for (Profile profile : profiles) {
            for (RootFile file : profile.files()) {
                RootFile earlier = files.putIfAbsent(file.path(), file);
                if (earlier != null && !earlier.equals(file)) {
                    throw new IllegalArgumentException(
                            "two profiles give different contents for " + file.path() + "; keep one");
                }
            }
        }
        files.values()
                .forEach(file -> steps.add(new MountStep.File(
                        inRoot(root, file.path()),
                        file.content(),
                        state.resolve("files").resolve(file.path().toString().substring(1)))));
        accounts(root, state, profiles, dpu, files.keySet()).forEach(steps::add);
        profiles.stream()
                .flatMap(p -> p.programs().stream())
                .distinct()
                .forEach(program -> steps.add(new MountStep.Shim(
                        inRoot(root, program),
                        program,
                        state.resolve("shims").resolve(program.toString().substring(1)))));
        return new MountPlan(root, List.copyOf(steps));
    }

    /**
     * The root's passwd and group, when the profiles name accounts the DPU lacks: the DPU's files
     * with those appended (RootAccounts), bound over the root's view of the DPU's /etc.
     */
    private static List<MountStep> accounts(
            Path root, Path state, List<Profile> profiles, DpuSystem dpu, Set<Path> given) {
        List<RootUser> users =
                profiles.stream().flatMap(p -> p.users().stream()).distinct().toList();
        List<RootGroup> groups =
                profiles.stream().flatMap(p -> p.groups().stream()).distinct().toList();
        List<MountStep> steps = new ArrayList<>();
        Path passwd = Path.of("/etc/passwd");
        Path group = Path.of("/etc/group");
        RootAccounts.passwd(dpu.readFile(dpu.root().resolve("etc/passwd")), users)
                .ifPresent(added -> steps.add(accountsFile(root, state, passwd, added, given)));
        RootAccounts.group(dpu.readFile(dpu.root().resolve("etc/group")), groups)
                .ifPresent(added -> steps.add(accountsFile(root, state, group, added, given)));
        return steps;
    }

    private static MountStep accountsFile(Path root, Path state, Path file, RootAccounts.Added added, Set<Path> given) {
        if (given.contains(file)) {
            throw new IllegalArgumentException("a profile gives " + file + " among its files and another names "
                    + added.names() + " under users or groups; name the accounts in that file instead");
        }
        return new MountStep.File(
                inRoot(root, file),
                added.content(),
                state.resolve("files").resolve(file.toString().substring(1)),
                "the DPU's, with " + String.join(", ", added.names()) + " added");
    }

    /** The root's /run, kept in the agent's state directory. */
    public static Path runDirectory(Path state) {
        return state.resolve("run");
    }

    /** {@code path} (absolute, in the root's view) as seen from outside the root. */
    public static Path inRoot(Path root, Path path) {
        return root.resolve(path.toString().substring(1));
    }

    public List<MountStep> steps(Predicate<MountStep> which) {
        return steps.stream().filter(which).toList();
    }
}
