package io.dpuoffload.api.validation;

import io.dpuoffload.api.spec.RootGroup;
import io.dpuoffload.api.spec.RootUser;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The problems of a profile's {@code users} and {@code groups}: names and ids passwd and group can hold. */
final class AccountValidation {
    /** What useradd accepts by default (Debian's NAME_REGEX), without the trailing {@code $} of machine accounts. */
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    /** The largest id; 4294967295 is (uid_t) -1, "no change" to chown and setreuid. */
    static final long MOST_ID = 4_294_967_294L;

    private AccountValidation() {}

    static void users(Problems problems, List<RootUser> users) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < users.size(); i++) {
            String at = "users[" + i + "]";
            RootUser user = users.get(i);
            if (user == null) {
                problems.add(at, "missing; e.g. {name: libvirt-qemu, uid: 64055, gid: 64055}");
                continue;
            }
            name(problems, at + ".name", user.name(), names);
            id(problems, at + ".uid", user.uid(), "64055");
            id(problems, at + ".gid", user.gid(), "64055");
        }
    }

    static void groups(Problems problems, List<RootGroup> groups) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < groups.size(); i++) {
            String at = "groups[" + i + "]";
            RootGroup group = groups.get(i);
            if (group == null) {
                problems.add(at, "missing; e.g. {name: libvirt-qemu, gid: 64055}");
                continue;
            }
            name(problems, at + ".name", group.name(), names);
            id(problems, at + ".gid", group.gid(), "64055");
        }
    }

    private static void name(Problems problems, String at, String name, Set<String> seen) {
        if (!problems.required(at, name, "libvirt-qemu")) {
            return;
        }
        if (!NAME.matcher(name).matches()) {
            problems.add(
                    at,
                    "'" + name + "' is not an account name: up to 32 of lower-case letters, digits, '_' and '-',"
                            + " starting with a letter or '_'");
        } else if (!seen.add(name)) {
            problems.add(at, "'" + name + "' is given twice; give each once");
        }
    }

    private static void id(Problems problems, String at, Long id, String example) {
        if (problems.required(at, id, example) && (id < 0 || id > MOST_ID)) {
            problems.add(at, id + " is not an id: a whole number from 0 to " + MOST_ID);
        }
    }
}
