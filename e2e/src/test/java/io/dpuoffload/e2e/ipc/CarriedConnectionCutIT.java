package io.dpuoffload.e2e.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.e2e.TestPki;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A carried connection through a cut of the link between the two namespaces, longer than the
 * heartbeat timeout (5 s) and shorter than the resume bound (60 s): `offloadctl ipc serve` on the
 * host node, `offloadctl ipc connect` on the DPU node, the DPU node's interfaces taken down and up
 * again. The DPU program's connection to the host's echo stays open throughout; what it sent
 * before and during the cut, and its half-close made during the cut, all come back in order.
 */
@ExtendWith(TopologyExtension.class)
class CarriedConnectionCutIT {
    private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");

    /** Longer than the transport's heartbeat timeout: both sides see the channel lost. */
    private static final Duration CUT = Duration.ofSeconds(8);

    /** A stream echo server: each connection's bytes come back, then its half-close. */
    private static final String ECHO_SERVER = IpcAcrossNamespacesIT.ECHO_SERVER;

    /**
     * Sends 300 kB and reads them back; on a line on stdin (the link is cut) sends 200 kB more (less
     * than what the relay holds and the socket buffers, so it does not wait for the link) and
     * half-closes; then reads to end of file and says whether all 500 kB came back, in order.
     */
    private static final String CLIENT = """
            import socket, sys, threading, time
            data = bytes((i * 7 + (i >> 10)) % 251 for i in range(500000))
            c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])
            back = bytearray()
            def read():
                while True:
                    d = c.recv(65536)
                    if not d: break
                    back.extend(d)
            c.sendall(data[:300000])
            while len(back) < 300000:
                back.extend(c.recv(65536))
            print("BEFORE THE CUT", flush=True)
            reader = threading.Thread(target=read); reader.start()
            sys.stdin.readline(); start = time.time()
            c.sendall(data[300000:]); c.shutdown(socket.SHUT_WR)
            print("SENT DURING THE CUT", flush=True)
            reader.join()
            print("RESULT %s %d after %.0f s" % (bytes(back) == data, len(back), time.time() - start), flush=True)
            """;

    @TempDir
    Path work;

    @Test
    void aConnectionLivesThroughACutLongerThanTheHeartbeatTimeout(Topology topology) throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pki = TestPki.create(work.resolve("pki"));
        Path hostDir = Files.createDirectories(work.resolve("host"));
        Path dpuDir = Files.createDirectories(work.resolve("dpu"));
        Path hostConfig = Files.writeString(work.resolve("host.yaml"), """
                node: host-1
                listen: tcp://198.51.100.1:7200
                pki: %s
                peers: [dpu-1]
                allow: [%s]
                """.formatted(pki, hostDir));
        Path dpuConfig = Files.writeString(work.resolve("dpu.yaml"), """
                node: dpu-1
                pki: %s
                peers: [host-1]
                forwards:
                  - listen: %s/echo.sock
                    to: %s/echo.sock
                """.formatted(pki, dpuDir, hostDir));

        NodeProcess echo = topology.host().start(List.of("python3", "-c", ECHO_SERVER, hostDir + "/echo.sock"));
        echo.awaitLine(Pattern.compile("LISTENING"), Duration.ofSeconds(20));
        NodeProcess host = topology.host()
                .startJava(Offloadctl.class.getName(), JVM, List.of("ipc", "serve", "--config", hostConfig.toString()));
        host.awaitLine(Pattern.compile("READY .*"), Duration.ofSeconds(60));
        NodeProcess dpu = IpcAcrossNamespacesIT.connect(topology, dpuConfig);

        NodeProcess client = topology.dpu().start(List.of("python3", "-c", CLIENT, dpuDir + "/echo.sock"));
        client.awaitLine(Pattern.compile("BEFORE THE CUT"), Duration.ofSeconds(30));
        links(topology, "down");
        client.stdin().write("GO\n".getBytes());
        client.stdin().flush();
        client.awaitLine(Pattern.compile("SENT DURING THE CUT"), Duration.ofSeconds(10));
        dpu.awaitLine(Pattern.compile(".*the channel was lost.*holding the connection.*"), Duration.ofSeconds(15));
        host.awaitLine(Pattern.compile(".*the channel was lost.*holding the connection.*"), Duration.ofSeconds(15));
        Thread.sleep(CUT.toMillis());
        assertThat(client.stdout()).as("nothing ended during the cut").doesNotContain("RESULT");
        links(topology, "up");

        String result = client.awaitLine(Pattern.compile("RESULT .*"), Duration.ofSeconds(45));
        assertThat(result).startsWith("RESULT True 500000");
        assertThat(dpu.awaitLine(Pattern.compile(".*resumed after .*"), Duration.ofSeconds(5)))
                .contains("records sent again");
        client.waitFor(Duration.ofSeconds(10));
        dpu.stop();
        host.stop();
        echo.stop();
    }

    /** Takes the DPU node's interfaces (all but loopback) {@code state}: down cuts the link, up mends it. */
    private static void links(Topology topology, String state) {
        topology.dpu()
                .run(
                        Duration.ofSeconds(20),
                        "sh",
                        "-c",
                        "for i in $(ls /sys/class/net); do [ $i = lo ] || ip link set dev $i " + state + "; done")
                .orThrow();
    }
}
