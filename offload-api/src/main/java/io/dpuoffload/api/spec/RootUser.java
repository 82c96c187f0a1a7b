package io.dpuoffload.api.spec;

/**
 * An account a daemon looks up by name in the root, added to the root's {@code /etc/passwd} when the
 * DPU has none of that name (libvirtd looks up {@code libvirt-qemu} at start even when its QEMU runs
 * as root). The DPU's own account of that name, if it has one, is kept as it is.
 *
 * @param gid its primary group's id (the group itself comes from {@code groups} or the DPU)
 */
public record RootUser(String name, Long uid, Long gid) {}
