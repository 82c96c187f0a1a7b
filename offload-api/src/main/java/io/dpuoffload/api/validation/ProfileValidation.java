package io.dpuoffload.api.validation;

import io.dpuoffload.api.spec.CacheMode;
import io.dpuoffload.api.spec.Daemon;
import io.dpuoffload.api.spec.Health;
import io.dpuoffload.api.spec.Profile;
import io.dpuoffload.api.spec.RootFile;
import io.dpuoffload.api.spec.Share;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Every problem of a {@link Profile}, each with its field path and the fix; a pure function. */
public final class ProfileValidation {
    /** A share's name is its export's name, which the DPU mounts it by. */
    public static final Pattern SHARE_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    /** A libvirt URI: a driver (with its transport), then the rest. */
    private static final Pattern LIBVIRT_URI = Pattern.compile("[a-z0-9+]+://[^ ]*");
    /** Checks more often than this load the daemon for nothing. */
    public static final Duration LEAST_HEALTH_INTERVAL = Duration.ofSeconds(1);
    /** A daemon that fails this many checks in a row is long gone: a larger bound is a typo. */
    public static final int MOST_HEALTH_FAILURES = 100;
    /** Longer than this, a host program's change shows on the DPU too late to be useful. */
    public static final Duration MOST_TTL = Duration.ofHours(1);

    private ProfileValidation() {}

    public static List<Problem> problems(Profile profile) {
        Problems problems = new Problems();
        problems.required("name", profile.name(), "libvirt");
        shares(problems, profile.shares());
        for (int i = 0; i < profile.sockets().size(); i++) {
            required(problems, "sockets[" + i + "]", profile.sockets().get(i));
        }
        for (int i = 0; i < profile.daemonSockets().size(); i++) {
            daemonSocket(
                    problems,
                    "daemonSockets[" + i + "]",
                    profile.daemonSockets().get(i),
                    profile.shares());
        }
        for (int i = 0; i < profile.programs().size(); i++) {
            required(problems, "programs[" + i + "]", profile.programs().get(i));
        }
        daemons(problems, profile.daemons());
        files(problems, profile.files());
        AccountValidation.users(problems, profile.users());
        AccountValidation.groups(problems, profile.groups());
        return problems.list();
    }

    /**
     * The host listens at the daemon socket's own path: inside a share that path is the shared
     * directory's, where the daemon's socket file already is.
     */
    private static void daemonSocket(Problems problems, String path, Path value, List<Share> shares) {
        required(problems, path, value);
        if (value == null || !value.isAbsolute()) {
            return;
        }
        for (Share share : shares) {
            if (share != null && share.path() != null && value.normalize().startsWith(share.path())) {
                problems.add(
                        path,
                        value + " is inside share '" + share.name() + "' (" + share.path()
                                + "), where host and daemon would share one socket file; put the daemon's socket"
                                + " outside every share (e.g. under /run)");
            }
        }
    }

    private static void required(Problems problems, String path, Path value) {
        if (problems.required(path, value, "/var/lib/libvirt")) {
            problems.absolute(path, value);
        }
    }

    private static void shares(Problems problems, List<Share> shares) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < shares.size(); i++) {
            String at = "shares[" + i + "]";
            Share share = shares.get(i);
            if (share == null) {
                continue;
            }
            if (problems.required(at + ".name", share.name(), "libvirt")) {
                if (!SHARE_NAME.matcher(share.name()).matches()) {
                    problems.add(
                            at + ".name",
                            "'" + share.name() + "' must be lowercase letters, digits and '-', e.g. vm-images");
                } else if (!names.add(share.name())) {
                    problems.add(at + ".name", "'" + share.name() + "' is used twice; each share needs its own name");
                }
            }
            if (problems.required(at + ".hostPath", share.hostPath(), "/var/lib/libvirt")) {
                problems.absolute(at + ".hostPath", share.hostPath());
                if (!share.path().equals(share.hostPath())) {
                    problems.absolute(at + ".path", share.path());
                }
            }
            if (share.procView() && share.cache() == CacheMode.TTL) {
                problems.add(at + ".cache", "a procView share must use cache: none (its files change on every read)");
            }
            if (share.ttl().isNegative() || share.ttl().compareTo(MOST_TTL) > 0) {
                problems.add(at + ".ttl", "must be between 0s and 1h");
            }
            allow(problems, at + ".allow", share.allow());
            for (int f = 0; f < share.sharedFifos().size(); f++) {
                problems.absolute(
                        at + ".sharedFifos[" + f + "]", share.sharedFifos().get(f));
            }
        }
    }

    /** An allowlist: operations by name (or {@code all}), each with path prefixes inside the share. */
    public static void allow(Problems problems, String at, Map<String, List<String>> allow) {
        for (Map.Entry<String, List<String>> entry : allow.entrySet()) {
            String key = at + "." + entry.getKey();
            if (!entry.getKey().equals(Share.ALL_OPERATIONS) && !Share.OPERATIONS.contains(entry.getKey())) {
                problems.add(key, "unknown operation; use all or one of " + String.join(", ", Share.OPERATIONS));
            }
            List<String> prefixes = entry.getValue() == null ? List.of() : entry.getValue();
            for (int p = 0; p < prefixes.size(); p++) {
                problems.absolute(key + "[" + p + "]", prefixes.get(p));
            }
        }
    }

    private static void daemons(Problems problems, List<Daemon> daemons) {
        Set<String> earlier = new HashSet<>();
        for (int i = 0; i < daemons.size(); i++) {
            String at = "daemons[" + i + "]";
            Daemon daemon = daemons.get(i);
            if (daemon == null) {
                continue;
            }
            if (problems.required(at + ".name", daemon.name(), "libvirtd") && earlier.contains(daemon.name())) {
                problems.add(at + ".name", "'" + daemon.name() + "' is used twice; each daemon needs its own name");
            }
            if (daemon.command().isEmpty()
                    || daemon.command().getFirst() == null
                    || !daemon.command().getFirst().startsWith("/")) {
                problems.add(
                        at + ".command",
                        "give the program as an absolute path and its arguments, e.g. [/usr/sbin/libvirtd, --verbose]");
            }
            for (int a = 0; a < daemon.after().size(); a++) {
                if (!earlier.contains(daemon.after().get(a))) {
                    problems.add(
                            at + ".after[" + a + "]",
                            "'" + daemon.after().get(a)
                                    + "' is not a daemon listed above this one; list daemons in start order");
                }
            }
            if (daemon.ready() != null) {
                if (problems.required(at + ".ready.socket", daemon.ready().socket(), "/run/libvirt/libvirt-sock")) {
                    problems.absolute(at + ".ready.socket", daemon.ready().socket());
                }
                if (daemon.ready().timeout().isNegative()
                        || daemon.ready().timeout().isZero()) {
                    problems.add(at + ".ready.timeout", "must be longer than 0s, e.g. 30s");
                }
            }
            if (daemon.health() != null) {
                health(problems, at + ".health", daemon.health());
            }
            if (daemon.name() != null) {
                earlier.add(daemon.name());
            }
        }
    }

    private static void health(Problems problems, String at, Health health) {
        switch (health) {
            case Health.Libvirt libvirt -> {
                if (!LIBVIRT_URI.matcher(libvirt.libvirt()).matches()) {
                    problems.add(
                            at + ".libvirt",
                            "'" + libvirt.libvirt()
                                    + "' is not a libvirt URI; give the one a client in the root would use, e.g. qemu:///system");
                }
            }
            case Health.Containerd containerd -> problems.absolute(at + ".containerd", containerd.containerd());
            case Health.Socket socket -> problems.absolute(at + ".socket", socket.socket());
        }
        problems.atLeast(at + ".interval", health.interval(), LEAST_HEALTH_INTERVAL, "is too often; give 1s or more");
        if (health.failures() < 1 || health.failures() > MOST_HEALTH_FAILURES) {
            problems.add(
                    at + ".failures", health.failures() + " is not a whole number from 1 to " + MOST_HEALTH_FAILURES);
        }
    }

    private static void files(Problems problems, List<RootFile> files) {
        Set<Path> paths = new HashSet<>();
        for (int i = 0; i < files.size(); i++) {
            String at = "files[" + i + "]";
            RootFile file = files.get(i);
            if (file == null) {
                continue;
            }
            if (problems.required(at + ".path", file.path(), "/etc/libvirt/qemu.conf")) {
                problems.absolute(at + ".path", file.path());
                if (!paths.add(file.path())) {
                    problems.add(at + ".path", file.path() + " is given twice; give each file once");
                }
            }
            problems.required(at + ".content", file.content(), "\"user = \\\"root\\\"\"");
        }
    }
}
