package io.dpuoffload.agent.dpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.dpuoffload.api.spec.Daemon;
import io.dpuoffload.api.spec.Profile;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.spec.RootFile;
import io.dpuoffload.api.spec.Share;
import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.api.validation.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Refuses, before the root is built, a containerd configuration that this pair cannot serve, each
 * problem named with its fix: containerd would start, and fail later at each container with an
 * error that names neither (a shim that hangs opening a fifo, a snapshot mounted on the DPU). What
 * the offload needs of containerd's configuration (docs/containerd.md):
 *
 * <ul>
 *   <li>the task bundles ({@code STATE/io.containerd.runtime.v2.task}) and ctr's fifos ({@code
 *       /run/containerd/fifo}, a fixed path) shared with the host, fifos included: the shim runs in
 *       the bundle on the host and opens the fifos there;
 *   <li>the native snapshotter's snapshots shared at their own host path (the shim on the host
 *       mounts them as the containers' root file systems), and no overlayfs: its mounts would be
 *       made on the DPU, over directories of the shared file system it cannot use;
 *   <li>the shims' sockets ({@code /run/containerd/s}, fixed) carried to the host, containerd's
 *       ttrpc socket carried back, and the runc shim a host program.
 * </ul>
 *
 * Only daemons whose program is {@code containerd} are read; the configuration is the profile's
 * file at its path, or else the DPU's own file, or else containerd's defaults.
 */
final class ContainerdPreflight {
    private static final Path DEFAULT_CONFIG = Path.of("/etc/containerd/config.toml");
    private static final String DEFAULT_ROOT = "/var/lib/containerd";
    private static final String DEFAULT_STATE = "/run/containerd";
    private static final String DEFAULT_ADDRESS = "/run/containerd/containerd.sock";
    /** Where the runc shim binds its sockets, whatever the configuration says (containerd 1.6). */
    private static final Path SHIM_SOCKETS = Path.of("/run/containerd/s");
    /** Where ctr makes its fifos, whatever the configuration says. */
    private static final Path CTR_FIFOS = Path.of("/run/containerd/fifo");

    private static final String NATIVE = "io.containerd.snapshotter.v1.native";
    private static final String OVERLAYFS = "io.containerd.snapshotter.v1.overlayfs";
    private static final String CRI = "io.containerd.grpc.v1.cri";
    private static final String RUNC_SHIM = "containerd-shim-runc-v2";

    private static final TomlMapper TOML = new TomlMapper();

    private ContainerdPreflight() {}

    /** Throws a {@link ConfigException} listing every problem of every containerd daemon of {@code pair}. */
    static void check(ResolvedPair pair, Path nodeRoot) {
        List<Problem> problems = new ArrayList<>();
        for (Profile profile : pair.profiles()) {
            for (Daemon daemon : profile.daemons()) {
                if (isContainerd(daemon)) {
                    String at = "profile " + profile.name() + " (daemon " + daemon.name() + "), ";
                    problems(pair, profile, daemon, nodeRoot)
                            .forEach(p -> problems.add(new Problem(at + p.path(), p.message())));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("containerd's configuration", problems);
        }
    }

    static boolean isContainerd(Daemon daemon) {
        return !daemon.command().isEmpty()
                && Path.of(daemon.command().getFirst()).getFileName().toString().equals("containerd");
    }

    static List<Problem> problems(ResolvedPair pair, Profile profile, Daemon daemon, Path nodeRoot) {
        Path configPath = configPath(daemon.command());
        JsonNode config;
        try {
            config = TOML.readTree(configText(profile, configPath, nodeRoot));
        } catch (IOException e) {
            return List.of(new Problem(
                    configPath.toString(),
                    "cannot be read as TOML: " + e.getMessage() + "; fix the file (containerd would refuse it too)"));
        }
        List<Problem> problems = new ArrayList<>();
        String where = configPath.toString();
        if (config.path("version").asInt(1) != 2) {
            problems.add(
                    new Problem(
                            where + " version",
                            "the offload reads version 2 of containerd's configuration"
                                    + " (plugins under plugins.\"io.containerd....\"); add `version = 2` and move the plugin settings"));
            return problems;
        }
        List<String> disabled = new ArrayList<>();
        config.path("disabled_plugins").forEach(node -> disabled.add(node.asText()));
        String root = config.path("root").asText(DEFAULT_ROOT);
        String state = config.path("state").asText(DEFAULT_STATE);
        String address = config.path("grpc").path("address").asText(DEFAULT_ADDRESS);
        Path ttrpc = Path.of(config.path("ttrpc").path("address").asText(address + ".ttrpc"));

        needsSharedFifos(pair, Path.of(state, "io.containerd.runtime.v2.task"), "the task bundles", problems);
        needsSharedFifos(pair, CTR_FIFOS, "ctr's fifos", problems);

        snapshotterProblems(pair, config, disabled, root, where, problems);
        carriedProblems(pair, ttrpc, problems);
        return problems;
    }

    /** The native snapshotter on, its snapshots shared at their own path; overlayfs off, for ctr and CRI. */
    private static void snapshotterProblems(
            ResolvedPair pair,
            JsonNode config,
            List<String> disabled,
            String root,
            String where,
            List<Problem> problems) {
        JsonNode plugins = config.path("plugins");
        if (disabled.contains(NATIVE)) {
            problems.add(new Problem(
                    where + " disabled_plugins",
                    "the native snapshotter is disabled, and it is the"
                            + " one that works over the shared file system; remove " + NATIVE
                            + " from disabled_plugins"));
        } else {
            Path snapshots = Path.of(plugins.path(NATIVE).path("root_path").asText(root + "/" + NATIVE), "snapshots");
            if (!sharedAtItsOwnPath(pair, snapshots)) {
                problems.add(new Problem(
                        where,
                        "the native snapshotter's snapshots (" + snapshots + ") are not"
                                + " shared at their own host path, where the shim on the host mounts them; add a share"
                                + " with hostPath " + snapshots.getParent()
                                + " (as the built-in containerd profile does)"));
            }
        }
        if (!disabled.contains(OVERLAYFS)) {
            problems.add(new Problem(
                    where + " disabled_plugins",
                    "the overlayfs snapshotter is enabled: its mounts"
                            + " would be made on the DPU, over the shared file system it cannot use, so ctr's default"
                            + " fails at each container; add " + OVERLAYFS + " to disabled_plugins and use native"));
        }
        if (!disabled.contains(CRI)) {
            String criSnapshotter =
                    plugins.path(CRI).path("containerd").path("snapshotter").asText("overlayfs");
            if (!criSnapshotter.equals("native")) {
                problems.add(new Problem(
                        where + " plugins.\"" + CRI + "\".containerd.snapshotter",
                        "'" + criSnapshotter + "' does not work over the shared file system; set it to \"native\""));
            }
        }
    }

    /** The shims' sockets carried to the host, containerd's ttrpc socket carried back, the runc shim on the host. */
    private static void carriedProblems(ResolvedPair pair, Path ttrpc, List<Problem> problems) {
        boolean shimSocketsCarried =
                pair.profiles().stream().flatMap(p -> p.sockets().stream()).anyMatch(SHIM_SOCKETS::startsWith);
        if (!shimSocketsCarried) {
            problems.add(new Problem(
                    "sockets",
                    "the shims' sockets in " + SHIM_SOCKETS + " are on the host, and"
                            + " containerd connects to them; add " + SHIM_SOCKETS + " to sockets"));
        }
        boolean ttrpcCarriedBack = pair.profiles().stream()
                .flatMap(p -> p.daemonSockets().stream())
                .anyMatch(ttrpc::equals);
        if (!ttrpcCarriedBack) {
            problems.add(new Problem(
                    "daemonSockets",
                    "the shims on the host report exits and OOMs to containerd's" + " ttrpc socket " + ttrpc
                            + "; add it to daemonSockets"));
        }
        boolean runcShimOnHost = pair.profiles().stream()
                .flatMap(p -> p.programs().stream())
                .anyMatch(program -> program.getFileName().toString().equals(RUNC_SHIM));
        if (!runcShimOnHost) {
            problems.add(new Problem(
                    "programs",
                    "the runc shim must run on the host, beside its containers; add" + " /usr/bin/" + RUNC_SHIM
                            + " (its path on the host) to programs"));
        }
    }

    /** {@code --config FILE}, {@code -c FILE} or {@code --config=FILE}; else containerd's default. */
    static Path configPath(List<String> command) {
        for (int i = 1; i < command.size(); i++) {
            String arg = command.get(i);
            if ((arg.equals("--config") || arg.equals("-c")) && i + 1 < command.size()) {
                return Path.of(command.get(i + 1));
            }
            if (arg.startsWith("--config=")) {
                return Path.of(arg.substring("--config=".length()));
            }
        }
        return DEFAULT_CONFIG;
    }

    private static String configText(Profile profile, Path configPath, Path nodeRoot) throws IOException {
        Optional<RootFile> given = profile.files().stream()
                .filter(file -> file.path().equals(configPath))
                .findFirst();
        if (given.isPresent()) {
            return given.get().content();
        }
        Path onDpu = nodeRoot.resolve(configPath.toString().substring(1));
        return Files.exists(onDpu) ? Files.readString(onDpu) : "version = 2\n";
    }

    private static void needsSharedFifos(ResolvedPair pair, Path path, String what, List<Problem> problems) {
        Optional<Share> share = pair.shareHolding(path);
        String fix = "; share " + path + " at its host path with cache: none and sharedFifos: [/] (as the built-in"
                + " containerd profile does)";
        if (share.isEmpty() || !share.get().path().equals(share.get().hostPath())) {
            problems.add(new Problem(
                    "shares",
                    what + " (" + path + ") are not shared at their own host path, where"
                            + " the shim on the host works in them" + fix));
        } else if (!fifosShared(share.get(), path)) {
            problems.add(new Problem(
                    "shares",
                    what + " (" + path + ") are shared without their fifos, so the"
                            + " shim on the host waits for ever opening them" + fix));
        }
    }

    private static boolean sharedAtItsOwnPath(ResolvedPair pair, Path path) {
        return pair.shareHolding(path)
                .filter(share -> share.path().equals(share.hostPath()))
                .isPresent();
    }

    /** Whether fifos at {@code path} (inside {@code share}) join the two sides: a prefix of sharedFifos holds it. */
    private static boolean fifosShared(Share share, Path path) {
        Path inShare = Path.of("/").resolve(share.path().relativize(path));
        return share.sharedFifos().stream().anyMatch(prefix -> inShare.startsWith(Path.of(prefix)));
    }
}
