package io.dpuoffload.bench.ipc;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.intercept.InterceptedLauncher;
import io.dpuoffload.intercept.InterceptionUnavailableException;
import io.dpuoffload.intercept.Interceptions;
import io.dpuoffload.ipc.IpcNode;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.ipc.transparent.TransparentConnect;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bench intercept-cost}: what transparent connect adds to a connect() that is not for
 * the peer. The same program makes the same local connects, started plainly and under interception;
 * the difference per connect is the supervisor's round trip.
 */
@Command(
        name = "intercept-cost",
        mixinStandardHelpOptions = true,
        description = {
            "Measure what transparent connect adds to an ordinary local connect(): a python3 loop",
            "of connects to a local Unix socket, run plainly and under interception, alternately."
        })
public final class InterceptCostCommand implements Callable<Integer> {
    /** Connects argv[2] times to argv[1] after a warm-up; prints nanoseconds per connect. */
    private static final String CONNECT_LOOP = """
            import socket, sys, time
            path, n = sys.argv[1], int(sys.argv[2])
            def once():
                s = socket.socket(socket.AF_UNIX); s.connect(path); s.close()
            for _ in range(200): once()
            start = time.perf_counter_ns()
            for _ in range(n): once()
            print((time.perf_counter_ns() - start) / n)
            """;

    @Option(names = "--connects", defaultValue = "20000", description = "Connects per run (default: ${DEFAULT-VALUE}).")
    int connects;

    @Option(names = "--runs", defaultValue = "3", description = "Runs of each kind (default: ${DEFAULT-VALUE}).")
    int runs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("dpuo-intercept-cost");
        Path socket = dir.resolve("local.sock");
        IpcConfig config = new IpcConfig(
                "dpu-1",
                null,
                dir,
                Set.of(),
                List.of(),
                List.of(),
                1,
                new PeerPaths(List.of(new PeerPaths.Mapping(dir.resolve("peer"), Path.of("/nonexistent")))));
        try (ServerSocketChannel server = acceptAndClose(socket);
                IpcNode node = new IpcNode(config);
                InterceptedLauncher launcher = InterceptedLauncher.start(
                        Interceptions.none().withConnect(new TransparentConnect(node, config.transparent())))) {
            List<Double> plain = new ArrayList<>();
            List<Double> intercepted = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                plain.add(nanosPerConnect(new ProcessBuilder(command(socket)).start()));
                intercepted.add(nanosPerConnect(launcher.launch(new ProcessBuilder(command(socket)))));
            }
            double p = median(plain) / 1000;
            double q = median(intercepted) / 1000;
            var out = spec.commandLine().getOut();
            out.printf(
                    "local connect(), median of %d runs of %,d connects (python3 loop, connect+close):%n",
                    runs, connects);
            out.printf("  plain            %8.1f µs%n", p);
            out.printf("  intercepted      %8.1f µs%n", q);
            out.printf("  added            %8.1f µs per connect (%.2fx)%n", q - p, q / p);
            return ExitCodes.OK;
        } catch (InterceptionUnavailableException e) {
            spec.commandLine().getErr().println("offload-bench intercept-cost: " + e.getMessage());
            return ExitCodes.FAILURE;
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private List<String> command(Path socket) {
        return List.of("python3", "-c", CONNECT_LOOP, socket.toString(), Integer.toString(connects));
    }

    private static double nanosPerConnect(Process process) throws Exception {
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("the connect loop did not finish within 5 minutes");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.exitValue() != 0) {
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            throw new IOException("the connect loop failed (" + process.exitValue() + "): " + err);
        }
        return Double.parseDouble(out);
    }

    private static ServerSocketChannel acceptAndClose(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path), 512);
        Thread.ofPlatform().daemon().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel client = server.accept()) {
                    // accepted and closed at once
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
