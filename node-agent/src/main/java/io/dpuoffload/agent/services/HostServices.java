package io.dpuoffload.agent.services;

import io.dpuoffload.api.spec.Profile;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.spec.Share;
import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.allowlist.PathPrefixes;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.config.FsServerConfig;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the host agent serves, derived from the pair and its profiles (pure functions): offload-fs
 * exports with each share's own allowlist, offload-ipc's allowlist of the profiles' socket
 * directories, offload-exec's programs and the directories of the files they may inherit. Only
 * the pair's DPU may connect.
 */
public final class HostServices {
    private HostServices() {}

    /** The exports: one per share of the profiles (the same share in two profiles once). */
    public static FsServerConfig fs(ResolvedPair pair) {
        Map<String, ExportConfig> exports = new LinkedHashMap<>();
        for (Share share : pair.shares()) {
            exports.putIfAbsent(share.name(), export(share));
        }
        return new FsServerConfig(
                pair.hostNode(),
                pair.hostEndpoint(),
                pair.pki(),
                Set.of(pair.dpuNode()),
                List.copyOf(exports.values()),
                FsServerConfig.DEFAULT_MAX_OPEN_HANDLES);
    }

    /** A share as offload-fs exports it. */
    public static ExportConfig export(Share share) {
        return new ExportConfig(
                share.name(),
                share.hostPath(),
                share.readOnly(),
                switch (share.cache()) {
                    case TTL -> CachePolicy.TTL;
                    case NONE -> CachePolicy.NONE;
                },
                share.ttl(),
                share.procView(),
                Allowlist.of(share.allow()),
                new PathPrefixes(share.sharedFifos()),
                share.devices());
    }

    /** offload-ipc: the DPU may connect to the sockets under the profiles' socket directories (on the host). */
    public static IpcConfig ipc(ResolvedPair pair) {
        Set<String> allow = new LinkedHashSet<>();
        pair.profiles().forEach(profile -> profile.sockets()
                .forEach(socket -> allow.add(pair.hostPathOf(socket).toString())));
        return new IpcConfig(
                pair.hostNode(),
                pair.hostEndpoint(),
                pair.pki(),
                Set.of(pair.dpuNode()),
                daemonSocketForwards(pair),
                List.copyOf(allow),
                IpcConfig.DEFAULT_MAX_CONNECTIONS,
                new PeerPaths(List.of()),
                pair.resumeWithin());
    }

    /**
     * The daemons' sockets that host programs connect to: the host listens at each one's path and
     * carries every connection to the same path in the DPU's root.
     */
    public static List<IpcConfig.Forward> daemonSocketForwards(ResolvedPair pair) {
        return daemonSockets(pair).stream()
                .map(socket -> new IpcConfig.Forward(
                        SocketName.path(socket.toString()),
                        SocketName.path(io.dpuoffload.agent.plan.MountPlan.inRoot(pair.root(), socket)
                                .toString()),
                        UnixSockets.SOCK_STREAM))
                .toList();
    }

    /** Every profile's daemon sockets, once each. */
    public static List<java.nio.file.Path> daemonSockets(ResolvedPair pair) {
        return pair.profiles().stream()
                .flatMap(profile -> profile.daemonSockets().stream())
                .distinct()
                .toList();
    }

    /** offload-exec: exactly the programs the profiles list. */
    public static Set<String> programs(ResolvedPair pair) {
        Set<String> programs = new LinkedHashSet<>();
        for (Profile profile : pair.profiles()) {
            profile.programs().forEach(program -> programs.add(program.toString()));
        }
        return programs;
    }

    /**
     * Where a program may inherit a regular file from its DPU parent: the shared directories (a proc
     * view's files are no file a daemon hands over).
     */
    public static List<String> fileDirectories(ResolvedPair pair) {
        return pair.shares().stream()
                .filter(share -> !share.procView())
                .map(share -> share.hostPath().toString())
                .distinct()
                .toList();
    }

    /**
     * The node's directories the host serves: the shares and the socket directories. An agent in a
     * pod shows them at their own paths ({@code NodeDirectories}).
     */
    public static List<java.nio.file.Path> nodeDirectories(ResolvedPair pair) {
        Set<java.nio.file.Path> directories = new LinkedHashSet<>();
        pair.shares().forEach(share -> directories.add(share.hostPath()));
        pair.profiles()
                .forEach(profile -> profile.sockets().forEach(socket -> directories.add(pair.hostPathOf(socket))));
        return List.copyOf(directories);
    }
}
