package io.dpuoffload.api.spec;

/**
 * A group a daemon looks up by name in the root, added to the root's {@code /etc/group} when the DPU
 * has none of that name; the DPU's own group of that name, if it has one, is kept as it is.
 */
public record RootGroup(String name, Long gid) {}
