package io.dpuoffload.agent.plan;

import io.dpuoffload.api.spec.RootGroup;
import io.dpuoffload.api.spec.RootUser;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The root's {@code /etc/passwd} and {@code /etc/group}: the DPU's own, with the accounts the
 * profiles name that the DPU lacks appended. An account the DPU has by that name is never changed,
 * whatever its ids: other programs on the DPU already own files by them.
 */
final class RootAccounts {
    /** Where an added account lives: nowhere, and it cannot log in (it exists to be looked up). */
    private static final String HOME_AND_SHELL = ":/nonexistent:/usr/sbin/nologin";

    private RootAccounts() {}

    /** The DPU's passwd ({@code dpus}, empty when it has none) with {@code users} it lacks; empty if it lacks none. */
    static Optional<Added> passwd(String dpus, List<RootUser> users) {
        return withMissing(
                dpus,
                users,
                RootUser::name,
                user -> user.name() + ":x:" + user.uid() + ":" + user.gid() + ":" + user.name() + " (dpu-offload)"
                        + HOME_AND_SHELL);
    }

    /** The same for the DPU's group file and {@code groups}. */
    static Optional<Added> group(String dpus, List<RootGroup> groups) {
        return withMissing(dpus, groups, RootGroup::name, group -> group.name() + ":x:" + group.gid() + ":");
    }

    private static <T> Optional<Added> withMissing(
            String dpus, List<T> accounts, Function<T, String> name, Function<T, String> line) {
        Set<String> present = names(dpus);
        List<T> missing = accounts.stream()
                .filter(account -> !present.contains(name.apply(account)))
                .toList();
        return added(
                dpus,
                missing.stream().map(line).toList(),
                missing.stream().map(name).toList());
    }

    /** The file's new content, and the names it adds (for the plan's description). */
    record Added(String content, List<String> names) {}

    private static Optional<Added> added(String dpus, List<String> lines, List<String> names) {
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder content = new StringBuilder(dpus);
        if (!dpus.isEmpty() && !dpus.endsWith("\n")) {
            content.append('\n');
        }
        lines.forEach(line -> content.append(line).append('\n'));
        return Optional.of(new Added(content.toString(), names));
    }

    /** The names a passwd or group file defines: each entry's first field. */
    private static Set<String> names(String file) {
        return file.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.substring(0, line.indexOf(':') < 0 ? line.length() : line.indexOf(':')))
                .collect(Collectors.toSet());
    }
}
