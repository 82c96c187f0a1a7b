package io.dpuoffload.ipc.config;

import io.dpuoffload.config.ConfigException;
import io.dpuoffload.config.YamlFields;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads {@link IpcConfig} from YAML, refusing anything doubtful at start with the field named:
 *
 * <pre>
 * node: host-1
 * listen: tcp://198.51.100.1:7200   # the host; the DPU gives --server instead
 * pki: /etc/dpu-offload/pki
 * peers: [dpu-1]
 * maxConnections: 4096
 * forwards:                          # sockets made here, carried to the peer
 *   - listen: /run/dpuo/libvirt-sock
 *     to: /var/run/libvirt/libvirt-sock
 *     type: stream                   # stream | seqpacket
 *     mode: "0600"                   # who here may connect (octal; default owner only)
 * allow: [/var/run/libvirt, "@qemu-"] # what the peer may connect to here
 * transparent:                       # launched programs' connects under local reach the peer's peer
 *   - local: /var/lib/dpuo/root/run/libvirt/qemu
 *     peer: /run/libvirt/qemu
 * </pre>
 */
public final class IpcConfigLoader {
    public static IpcConfig load(Path file) {
        return YamlFields.load(file, IpcConfigLoader::parse);
    }

    public static IpcConfig parse(String yaml) {
        YamlFields root = YamlFields.parse(yaml);
        root.allowOnly(Set.of("node", "listen", "pki", "peers", "forwards", "allow", "maxConnections", "transparent"));
        String node = root.requiredText("node", "host-1");
        String listen = root.optionalText("listen", null);
        Path pki = Path.of(root.optionalText("pki", "/etc/dpu-offload/pki"));
        if (!pki.isAbsolute()) {
            throw new ConfigException(root.field("pki") + ": '" + pki + "' must be an absolute path");
        }
        Set<String> peers = new LinkedHashSet<>(root.texts("peers"));
        int maxConnections = root.optionalInt("maxConnections", IpcConfig.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000);
        List<IpcConfig.Forward> forwards = new ArrayList<>();
        for (YamlFields forward : root.objects("forwards", false)) {
            forwards.add(forward(forward));
        }
        List<String> allow = root.texts("allow");
        for (int i = 0; i < allow.size(); i++) {
            String where = root.field("allow") + "[" + i + "]";
            String prefix = allow.get(i);
            if (!prefix.startsWith("@")) {
                checkPath(prefix, where);
            }
        }
        List<PeerPaths.Mapping> transparent = new ArrayList<>();
        for (YamlFields mapping : root.objects("transparent", false)) {
            mapping.allowOnly(Set.of("local", "peer"));
            String local = mapping.requiredText("local", "/var/lib/dpuo/root/run/libvirt/qemu");
            checkPath(local, mapping.field("local"));
            String peer = mapping.requiredText("peer", "/run/libvirt/qemu");
            checkPath(peer, mapping.field("peer"));
            transparent.add(new PeerPaths.Mapping(Path.of(local), Path.of(peer)));
        }
        return new IpcConfig(
                node,
                listen,
                pki.normalize(),
                peers,
                List.copyOf(forwards),
                allow,
                maxConnections,
                new PeerPaths(transparent));
    }

    private static IpcConfig.Forward forward(YamlFields fields) {
        fields.allowOnly(Set.of("listen", "to", "type", "mode"));
        SocketName listen = socketName(fields, "listen", "/run/dpuo/libvirt-sock");
        SocketName to = socketName(fields, "to", "/var/run/libvirt/libvirt-sock");
        String typeText = fields.optionalText("type", "stream");
        int type =
                switch (typeText) {
                    case "stream" -> UnixSockets.SOCK_STREAM;
                    case "seqpacket" -> UnixSockets.SOCK_SEQPACKET;
                    case "dgram" ->
                        throw new ConfigException(fields.field("type") + ": datagram sockets are not carried yet; "
                                + "use stream or seqpacket");
                    default ->
                        throw new ConfigException(fields.field("type") + ": '" + typeText
                                + "' is not a socket type; use stream or seqpacket");
                };
        String modeText = fields.optionalText("mode", "0600");
        int mode;
        try {
            mode = Integer.parseInt(modeText, 8);
        } catch (NumberFormatException e) {
            mode = -1;
        }
        if (mode < 0 || mode > 0777) {
            throw new ConfigException(fields.field("mode") + ": '" + modeText
                    + "' is not a permission mode; write it in octal, e.g. \"0660\" (owner and group may connect)");
        }
        return new IpcConfig.Forward(listen, to, type, mode);
    }

    private static SocketName socketName(YamlFields fields, String name, String example) {
        String text = fields.requiredText(name, example);
        if (!text.startsWith("@")) {
            checkPath(text, fields.field(name));
        }
        try {
            return SocketName.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(fields.field(name) + ": " + e.getMessage());
        }
    }

    private static void checkPath(String path, String where) {
        if (!path.startsWith("/")) {
            throw new ConfigException(where + ": '" + path + "' must be an absolute path or an abstract name (@name)");
        }
        for (String part : path.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw new ConfigException(where + ": '" + path + "' must not contain '.' or '..'");
            }
        }
    }

    private IpcConfigLoader() {}
}
