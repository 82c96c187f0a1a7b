package io.dpuoffload.agent.profile;

import io.dpuoffload.config.ConfigException;
import io.dpuoffload.config.YamlFields;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads a {@link Profile} from YAML, a built-in one by name ({@code libvirt}) or a file:
 *
 * <pre>
 * name: libvirt
 * shares:                                  # host directories in the offload root (offload-fs)
 *   - {name: libvirt, hostPath: /var/lib/libvirt}
 *   - {name: proc, hostPath: /proc, cache: none, procView: true}
 * sockets: [/var/lib/libvirt/qemu]         # connect() under these reaches the host's sockets
 * programs: [/usr/bin/qemu-system-x86_64]  # shims in the root; the host's exec allowlist
 * daemons:
 *   - name: libvirtd
 *     command: [/usr/sbin/libvirtd, -f, /etc/libvirt/libvirtd.conf]
 *     after: [virtlogd]
 *     ready: {socket: /run/libvirt/libvirt-sock, timeout: 30s}
 *     restart: on-failure                  # always | on-failure | never
 *     health: {libvirt: qemu:///system, interval: 30s, failures: 3}   # list domains; restart after 3 failures
 * files:                                   # in the root in place of the DPU's own
 *   - {path: /etc/libvirt/qemu.conf, content: "user = \"root\"\n"}
 * </pre>
 */
public final class ProfileLoader {
    private static final Set<String> CACHES = Set.of("ttl", "none");
    private static final Set<String> RESTARTS = Set.of("always", "on-failure", "never");
    private static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(30);
    private static final int DEFAULT_HEALTH_FAILURES = 3;

    private ProfileLoader() {}

    /** A built-in profile ({@code libvirt}) by name, or a file by path. */
    public static Profile load(String nameOrFile) {
        if (!nameOrFile.contains("/")) {
            try (InputStream in =
                    ProfileLoader.class.getResourceAsStream("/io/dpuoffload/agent/profiles/" + nameOrFile + ".yaml")) {
                if (in == null) {
                    throw new ConfigException("no built-in profile '" + nameOrFile
                            + "' (built in: libvirt); give a file's path for a profile of your own");
                }
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ConfigException("cannot read the built-in profile " + nameOrFile + ": " + e.getMessage());
            }
        }
        return YamlFields.load(Path.of(nameOrFile), ProfileLoader::parse);
    }

    public static Profile parse(String yaml) {
        YamlFields root = YamlFields.parse(yaml);
        root.allowOnly(Set.of("name", "shares", "sockets", "programs", "daemons", "files"));
        String name = root.requiredText("name", "libvirt");
        List<Profile.Share> shares = new ArrayList<>();
        Set<String> shareNames = new HashSet<>();
        for (YamlFields share : root.objects("shares", false)) {
            share.allowOnly(Set.of("name", "hostPath", "path", "cache", "readOnly", "procView"));
            String shareName = share.requiredText("name", "libvirt");
            if (!shareNames.add(shareName)) {
                throw new ConfigException(
                        share.field("name") + ": '" + shareName + "' is used twice; each share needs its own name");
            }
            Path hostPath = absolute(share, "hostPath", share.requiredText("hostPath", "/var/lib/libvirt"));
            Path path = absolute(share, "path", share.optionalText("path", hostPath.toString()));
            String cache = share.optionalText("cache", "ttl");
            if (!CACHES.contains(cache)) {
                throw new ConfigException(
                        share.field("cache") + ": '" + cache + "' is not a cache mode; use ttl or none");
            }
            shares.add(new Profile.Share(
                    shareName,
                    hostPath,
                    path,
                    cache,
                    share.optionalBoolean("readOnly", false),
                    share.optionalBoolean("procView", false)));
        }
        List<Path> sockets = new ArrayList<>();
        for (String socket : root.texts("sockets")) {
            sockets.add(absolute(root, "sockets", socket));
        }
        List<Path> programs = new ArrayList<>();
        for (String program : root.texts("programs")) {
            programs.add(absolute(root, "programs", program));
        }
        return new Profile(
                name, List.copyOf(shares), List.copyOf(sockets), List.copyOf(programs), daemons(root), files(root));
    }

    private static List<Profile.File> files(YamlFields root) {
        List<Profile.File> files = new ArrayList<>();
        Set<Path> paths = new HashSet<>();
        for (YamlFields file : root.objects("files", false)) {
            file.allowOnly(Set.of("path", "content"));
            Path path = absolute(file, "path", file.requiredText("path", "/etc/libvirt/qemu.conf"));
            if (!paths.add(path)) {
                throw new ConfigException(file.field("path") + ": " + path + " is given twice; give each file once");
            }
            files.add(new Profile.File(path, file.requiredText("content", "user = \"root\"")));
        }
        return List.copyOf(files);
    }

    private static List<Profile.Daemon> daemons(YamlFields root) {
        List<Profile.Daemon> daemons = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (YamlFields daemon : root.objects("daemons", false)) {
            daemon.allowOnly(Set.of("name", "command", "environment", "after", "ready", "restart", "health"));
            String name = daemon.requiredText("name", "libvirtd");
            List<String> command = daemon.texts("command");
            if (command.isEmpty() || !command.getFirst().startsWith("/")) {
                throw new ConfigException(
                        daemon.field("command")
                                + ": give the program as an absolute path and its arguments, e.g. [/usr/sbin/libvirtd, --verbose]");
            }
            for (String before : daemon.texts("after")) {
                if (!names.contains(before)) {
                    throw new ConfigException(daemon.field("after") + ": '" + before
                            + "' is not a daemon listed above this one; list daemons in start order");
                }
            }
            Map<String, String> environment = new LinkedHashMap<>();
            YamlFields env = daemon.object("environment");
            if (env != null) {
                env.fieldNames().forEachRemaining(key -> environment.put(key, env.requiredText(key, "value")));
            }
            Path readySocket = null;
            Duration readyTimeout = DEFAULT_READY_TIMEOUT;
            YamlFields ready = daemon.object("ready");
            if (ready != null) {
                ready.allowOnly(Set.of("socket", "timeout"));
                readySocket = absolute(ready, "socket", ready.requiredText("socket", "/run/libvirt/libvirt-sock"));
                readyTimeout = ready.optionalDuration("timeout", DEFAULT_READY_TIMEOUT);
            }
            String restart = daemon.optionalText("restart", "on-failure");
            if (!RESTARTS.contains(restart)) {
                throw new ConfigException(
                        daemon.field("restart") + ": '" + restart + "'; use always, on-failure or never");
            }
            names.add(name);
            daemons.add(new Profile.Daemon(
                    name,
                    List.copyOf(command),
                    Map.copyOf(environment),
                    daemon.texts("after"),
                    readySocket,
                    readyTimeout,
                    restart,
                    health(daemon)));
        }
        return List.copyOf(daemons);
    }

    private static Profile.Health health(YamlFields daemon) {
        YamlFields health = daemon.object("health");
        if (health == null) {
            return null;
        }
        health.allowOnly(Set.of("libvirt", "interval", "failures"));
        String uri = health.requiredText("libvirt", "qemu:///system");
        if (!uri.matches("[a-z0-9+]+://[^ ]*")) {
            throw new ConfigException(health.field("libvirt") + ": '" + uri
                    + "' is not a libvirt URI; give the one a client in the root would use, e.g. qemu:///system");
        }
        Duration interval = health.optionalDuration("interval", DEFAULT_HEALTH_INTERVAL);
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException(health.field("interval") + ": " + interval + " is too often; give 1s or more");
        }
        return new Profile.Health(uri, interval, health.optionalInt("failures", DEFAULT_HEALTH_FAILURES, 1, 100));
    }

    private static Path absolute(YamlFields where, String field, String value) {
        Path path = Path.of(value);
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw new ConfigException(
                    where.field(field) + ": '" + value + "' must be an absolute path without '.' or '..'");
        }
        return path;
    }
}
