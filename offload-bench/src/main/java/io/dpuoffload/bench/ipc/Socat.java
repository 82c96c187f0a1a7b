package io.dpuoffload.bench.ipc;

import io.dpuoffload.topology.Prerequisites;
import io.dpuoffload.topology.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** socat, the competitor: where it is, and its two command lines as users bridge a Unix socket over TCP. */
final class Socat {

    private Socat() {}

    /** Empty when socat is installed, else what to do about it. */
    static Optional<String> missing() {
        return find().isPresent()
                ? Optional.empty()
                : Optional.of("the ipc benchmark needs socat, which this machine lacks: install the Debian package"
                        + " socat (apt-get install socat), or run ./dpuo bench ipc, which does");
    }

    /** The host's: accepts TCP on every address of the host node, one process per connection, to {@code sink}. */
    static List<String> hostCommand(Path sink) {
        return List.of(path(), "TCP-LISTEN:" + IpcBenchLayout.SOCAT_PORT + ",reuseaddr,fork", "UNIX-CONNECT:" + sink);
    }

    /** The DPU's: a Unix socket whose connections go to the host's socat over plain TCP. */
    static List<String> dpuCommand(Path socket) {
        return List.of(
                path(),
                "UNIX-LISTEN:" + socket + ",fork",
                "TCP:" + Topology.HOST_ADDRESS + ":" + IpcBenchLayout.SOCAT_PORT);
    }

    /**
     * True when this network namespace has a TCP socket listening on {@code port}: socat says nothing when it is ready,
     * and connecting to it to find out would start a connection to the sink.
     */
    static boolean listening(int port) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X ", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            for (String line : Files.readAllLines(path)) {
                String[] fields = line.strip().split("\\s+");
                // sl local_address rem_address st ...; st 0A is LISTEN
                if (fields.length > 3 && (fields[1] + " ").endsWith(local) && fields[3].equals("0A")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String path() {
        return find().orElseThrow(() -> new IllegalStateException(missing().orElseThrow()));
    }

    private static Optional<String> find() {
        return Prerequisites.findCommand("socat").map(Path::toString);
    }
}
