package io.dpuoffload.agent.host;

import io.dpuoffload.agent.pair.PairConfig;
import io.dpuoffload.agent.profile.Profile;
import io.dpuoffload.exec.host.ExecServer;
import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.config.FsServerConfig;
import io.dpuoffload.fs.config.FsServerConfigLoader;
import io.dpuoffload.fs.host.FsServer;
import io.dpuoffload.ipc.IpcNode;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.Services;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host's side of a pair: offload-fs for the profiles' shares, offload-exec for their programs,
 * offload-ipc for their sockets, all behind one listener (the caller adds the channel's security and serves). The allowlists are
 * the profiles': each share's directory, exactly the programs listed, inherited files only under
 * the shares.
 */
public final class HostAgent implements AutoCloseable {
    private final FsServer fs;
    private final ExecServer exec;
    private final IpcNode ipc;

    private HostAgent(FsServer fs, ExecServer exec, IpcNode ipc) {
        this.fs = fs;
        this.exec = exec;
        this.ipc = ipc;
    }

    public static HostAgent create(PairConfig pair) throws ErrnoException {
        return new HostAgent(
                new FsServer(fsConfig(pair)),
                new ExecServer(programs(pair), fileDirectories(pair))
                        .reapOrphans()
                        .keepDetachedRunsFor(pair.keepRunsFor()),
                new IpcNode(ipcConfig(pair)));
    }

    public Services.Builder register(Services.Builder services) {
        return ipc.register(exec.register(fs.register(services)));
    }

    /** Tell it each new connection from the DPU (offload-ipc answers on the latest). */
    public void connected(OffloadConnection connection) {
        ipc.connected(connection);
    }

    /** offload-ipc: the DPU may connect to the sockets under the profiles' socket directories (here, on the host). */
    static IpcConfig ipcConfig(PairConfig pair) {
        List<String> allow = new ArrayList<>();
        pair.profiles().forEach(p -> p.sockets()
                .forEach(socket -> allow.add(pair.hostPathOf(socket).toString())));
        return new IpcConfig(
                pair.hostNode(),
                pair.hostEndpoint(),
                pair.pki(),
                Set.of(pair.dpuNode()),
                List.of(),
                List.copyOf(allow),
                IpcConfig.DEFAULT_MAX_CONNECTIONS,
                new PeerPaths(List.of()));
    }

    /** The exports: one per share of the profiles (the same share in two profiles once). */
    public static FsServerConfig fsConfig(PairConfig pair) {
        Map<String, ExportConfig> exports = new LinkedHashMap<>();
        for (Profile profile : pair.profiles()) {
            for (Profile.Share share : profile.shares()) {
                exports.putIfAbsent(
                        share.name(),
                        new ExportConfig(
                                share.name(),
                                share.hostPath(),
                                share.readOnly(),
                                share.cache().equals("none") ? CachePolicy.NONE : CachePolicy.TTL,
                                FsServerConfigLoader.DEFAULT_TTL,
                                share.procView(),
                                Allowlist.allowAll()));
            }
        }
        return new FsServerConfig(
                pair.hostNode(),
                pair.hostEndpoint(),
                pair.pki(),
                Set.of(pair.dpuNode()),
                List.copyOf(exports.values()),
                FsServerConfig.DEFAULT_MAX_OPEN_HANDLES);
    }

    static Set<String> programs(PairConfig pair) {
        Set<String> programs = new LinkedHashSet<>();
        pair.profiles().forEach(p -> p.programs().forEach(program -> programs.add(program.toString())));
        return programs;
    }

    /** Where a program may inherit a regular file from its DPU parent: the shared directories. */
    static List<String> fileDirectories(PairConfig pair) {
        List<String> directories = new ArrayList<>();
        for (Profile profile : pair.profiles()) {
            for (Profile.Share share : profile.shares()) {
                if (!share.procView()) {
                    directories.add(share.hostPath().toString());
                }
            }
        }
        return directories;
    }

    @Override
    public void close() {
        ipc.close();
        exec.close();
        fs.close();
    }
}
