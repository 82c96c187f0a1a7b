package io.dpuoffload.operator.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The operator's HTTP endpoints for the kubelet and Prometheus: {@code /healthz} (the operator runs:
 * liveness), {@code /readyz} (every informer is synced and healthy: readiness) and {@code /metrics}.
 * The JDK's own server: three plain GETs need no framework.
 */
public final class Endpoints implements AutoCloseable {
    private final HttpServer server;

    public Endpoints(
            int port, Supplier<String> liveProblem, Supplier<String> readyProblem, PrometheusMeterRegistry metrics)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/healthz", exchange -> answer(exchange, liveProblem.get()));
        server.createContext("/readyz", exchange -> answer(exchange, readyProblem.get()));
        server.createContext("/metrics", exchange -> send(exchange, 200, metrics.scrape()));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, String problem) throws IOException {
        send(exchange, problem == null ? 200 : 503, problem == null ? "ok\n" : problem + "\n");
    }

    private static void send(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
