package io.dpuoffload.agent.plan;

import java.nio.file.Path;

/**
 * One step of building the offload root. Each says what it makes at {@code target}; the applier
 * makes it, recognises it as already made (after an agent restart) and undoes it.
 */
public sealed interface MountStep {
    Path target();

    /** One line for {@code offloadctl agent status}. */
    String describe();

    /** A tmpfs: the root itself (so mount points are made without touching the DPU's disk), /run, /tmp, /dev/shm. */
    record Tmpfs(Path target, String options) implements MountStep {
        public String describe() {
            return "tmpfs " + target + " (" + options + ")";
        }
    }

    /** The DPU's own directory seen in the root (its system, its /dev, its /proc at /local_proc). */
    record Bind(Path source, Path target, boolean recursive) implements MountStep {
        public String describe() {
            return (recursive ? "rbind " : "bind ") + source + " -> " + target;
        }
    }

    /** A symbolic link in the root, as the DPU has it (/bin -> usr/bin on a merged-/usr system). */
    record Symlink(Path target, Path linkTo) implements MountStep {
        public String describe() {
            return "symlink " + target + " -> " + linkTo;
        }
    }

    /** Every mount under the root made private, so nothing mounted in it shows in the DPU's own tree. */
    record Private(Path target) implements MountStep {
        public String describe() {
            return "make-rprivate " + target;
        }
    }

    /** The POSIX message-queue file system, the DPU's own. */
    record Mqueue(Path target) implements MountStep {
        public String describe() {
            return "mqueue " + target;
        }
    }

    /** A host directory through offload-fs. */
    record Share(Path target, io.dpuoffload.api.spec.Share share) implements MountStep {
        public String describe() {
            return "offload-fs " + share.name() + " (host " + share.hostPath() + ", cache " + share.cache()
                    + (share.procView() ? ", proc view" : "") + (share.readOnly() ? ", read-only" : "") + ") -> "
                    + target;
        }
    }

    /** A profile's file, written to the agent's state and bound over its path in the root. */
    record File(Path target, String content, Path copy, String origin) implements MountStep {
        /** A file a profile gives. */
        public File(Path target, String content, Path copy) {
            this(target, content, copy, "the profile's");
        }

        public String describe() {
            return "file " + target + " (" + origin + ", " + content.length() + " bytes)";
        }
    }

    /** A shim for a host program, bound over the program's path in the root. */
    record Shim(Path target, Path program, Path file) implements MountStep {
        public String describe() {
            return "shim " + target + " (runs the host's " + program + ")";
        }
    }
}
