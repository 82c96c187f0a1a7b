package io.dpuoffload.api.status;

import java.nio.file.Path;

/**
 * One step of the offload root (a mount, a share through offload-fs, a file, a shim) and where it
 * stands.
 *
 * @param kind what the step makes: tmpfs, bind, symlink, private, mqueue, share, file, shim
 * @param description the step in a line, for people
 * @param detail why it failed, or what was found; empty when nothing to say
 */
public record MountStatus(MountPhase phase, String kind, Path target, String description, String detail) {}
