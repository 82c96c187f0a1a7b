package io.dpuoffload.e2e.kube;

import io.dpuoffload.topology.Topology;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Fabric8's mock API server in CRUD mode on this JVM's loopback, with the committed CRDs loaded as
 * {@code kubectl apply -f crds/} gives them to a cluster (so the resources are cluster-scoped and
 * status is a subresource, as there), and served to the test nodes through a Unix socket ({@link
 * ApiForwarder} on each node, started by {@link #reachFrom}). {@link #cut} makes it unreachable for the nodes, as a network
 * fault or a restarting API server would: open connections (watches included) drop and new ones are
 * refused, while the stored objects stay, as etcd keeps them.
 */
final class MockApiServer implements AutoCloseable {
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final ServerSocketChannel listener;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    /** Where the API server is on each node's own loopback (a fresh namespace: every port is free). */
    static final int NODE_PORT = 6443;

    private static final Duration FORWARDER_START = Duration.ofSeconds(60);

    private final Path socket;

    MockApiServer(Path socket, Path crds) throws IOException {
        this.socket = socket;
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        try (var files = Files.list(crds)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                try (var in = Files.newInputStream(file)) {
                    client.apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .load(in)
                            .create();
                }
            }
        }
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().name("mock-api-bridge").start(this::accept);
    }

    KubernetesClient client() {
        return client;
    }

    private void accept() {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getPort());
        while (listener.isOpen()) {
            SocketChannel node;
            try {
                node = listener.accept();
            } catch (IOException e) {
                return;
            }
            if (cut) {
                Splice.closeQuietly(node);
                continue;
            }
            try {
                SocketChannel api = SocketChannel.open(target);
                open.add(node);
                open.add(api);
                Splice.start(node, api);
            } catch (IOException e) {
                Splice.closeQuietly(node);
            }
        }
    }

    /** The API server unreachable for the nodes: every connection dropped, new ones closed at once. */
    void cut() {
        cut = true;
        open.forEach(Splice::closeQuietly);
        open.clear();
    }

    void restore() {
        cut = false;
    }

    /**
     * Makes this API server reachable from both nodes of {@code topology} at {@code
     * 127.0.0.1:}{@link #NODE_PORT} in their network namespaces (an {@link ApiForwarder} on each,
     * ended with the topology), and writes the nodes' kubeconfig to {@code kubeconfig}.
     */
    Path reachFrom(Topology topology, Path kubeconfig, String namespace) throws IOException {
        for (var node : topology.nodes()) {
            node.startJava(
                            ApiForwarder.class.getName(),
                            List.of(),
                            List.of(Integer.toString(NODE_PORT), socket.toString()))
                    .awaitLine(Pattern.compile("listening"), FORWARDER_START);
        }
        return Files.writeString(kubeconfig, kubeconfig(NODE_PORT, namespace));
    }

    /** A kubeconfig for the nodes: the API server at their own loopback's {@code port}, where {@link ApiForwarder} listens. */
    static String kubeconfig(int port, String namespace) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: mock
                    cluster: {server: "http://127.0.0.1:%d"}
                users:
                  - name: agent
                    user: {token: agent-token}
                contexts:
                  - name: mock
                    context: {cluster: mock, user: agent, namespace: %s}
                current-context: mock
                """.formatted(port, namespace);
    }

    @Override
    public void close() throws IOException {
        cut();
        listener.close();
        client.close();
        server.destroy();
    }
}
